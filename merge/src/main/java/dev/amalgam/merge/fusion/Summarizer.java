package dev.amalgam.merge.fusion;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.checkpoint.HfConfig;
import dev.amalgam.merge.eval.TaskEncoding;
import dev.amalgam.merge.eval.TaskExample;
import dev.amalgam.merge.fingerprint.Fingerprint;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import dev.amalgam.merge.runtime.DecoderCheckpoints;
import dev.amalgam.merge.runtime.DecoderModel;
import dev.amalgam.merge.runtime.SequenceScores;
import dev.amalgam.merge.runtime.TeacherForcedScorer;
import dev.amalgam.merge.tokenizer.TextTokenizer;
import dev.amalgam.merge.tokenizer.TokenizedText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Teacher-forces a source model over every instruction + response and records, per response token,
 * the top-k ids and log-probs, the token's char offsets, and the response's total NLL.
 */
public final class Summarizer {
  private static final int BATCH = 16;

  private final DecoderModel model;
  private final TaskEncoding encoding;

  public Summarizer(DecoderModel model, TaskEncoding encoding) {
    this.model = model;
    this.encoding = encoding;
  }

  /**
   * {@code amalgam summarize}: loads the checkpoint (weights, tokenizer.json, config.json's
   * bos/eos), fingerprints it, and writes the summary of the data file to output.
   */
  public static SummaryManifest run(
      Path modelDir, Path dataFile, Path output, int topK, IntConsumer progress)
      throws IOException {
    if (topK < 1) {
      throw new IllegalArgumentException("--top-k must be at least 1, got " + topK);
    }
    if (java.nio.file.Files.exists(output)) {
      throw new IllegalArgumentException(output + ": already exists (choose another output)");
    }
    FusionData data = FusionData.read(dataFile);
    Path tokenizerFile = modelDir.resolve("tokenizer.json");
    if (!java.nio.file.Files.isRegularFile(tokenizerFile)) {
      throw new CheckpointException(
          modelDir + ": has no tokenizer.json; summaries need the source's tokenizer");
    }
    Fingerprint fingerprint;
    HfConfig config;
    try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
      fingerprint = Fingerprinter.withAvailableCores().fingerprint(checkpoint);
      config =
          checkpoint
              .config()
              .orElseThrow(() -> new CheckpointException(modelDir + ": no config.json"));
    }
    try (TextTokenizer tokenizer = TextTokenizer.load(tokenizerFile);
        DecoderModel model = DecoderCheckpoints.load(modelDir)) {
      if (topK > model.config().vocab()) {
        throw new IllegalArgumentException(
            "--top-k " + topK + " exceeds the model's vocabulary (" + model.config().vocab() + ")");
      }
      TaskEncoding encoding = TaskEncoding.of(tokenizer, config);
      SummaryWriter.Header header =
          new SummaryWriter.Header(
              data.id(),
              fingerprint.expertId(),
              fingerprint.tokenizerId().orElse(null),
              topK,
              encoding.eos());
      return new Summarizer(model, encoding).summarize(data, header, output, progress);
    }
  }

  public SummaryManifest summarize(
      FusionData data, SummaryWriter.Header header, Path output, IntConsumer progress)
      throws IOException {
    String[] surfaces = encoding.tokenizer().tokenSurfaces();
    if (surfaces.length > model.config().vocab()) {
      throw new IllegalArgumentException(
          "tokenizer has " + surfaces.length + " ids but the model only " + model.config().vocab());
    }
    TeacherForcedScorer scorer = new TeacherForcedScorer(model);
    List<TaskExample> examples = data.examples();
    try (SummaryWriter writer = SummaryWriter.create(output, header, surfaces)) {
      for (int start = 0; start < examples.size(); start += BATCH) {
        List<TaskExample> batch = examples.subList(start, Math.min(examples.size(), start + BATCH));
        List<int[]> sequences = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        List<TokenizedText> responses = new ArrayList<>();
        for (TaskExample example : batch) {
          int[] prompt = encoding.prompt(example);
          TokenizedText response = encoding.tokenizer().encode(example.response());
          int[] ids = new int[prompt.length + response.size() + 1];
          System.arraycopy(prompt, 0, ids, 0, prompt.length);
          System.arraycopy(response.ids(), 0, ids, prompt.length, response.size());
          ids[ids.length - 1] = encoding.eos();
          sequences.add(ids);
          prompts.add(prompt);
          responses.add(response);
        }
        List<SequenceScores> scores = scorer.score(sequences, header.topK(), BATCH);
        for (int b = 0; b < batch.size(); b++) {
          writer.add(
              sequenceSummary(
                  scores.get(b),
                  prompts.get(b).length,
                  responses.get(b),
                  batch.get(b),
                  header.topK()));
        }
        progress.accept(start + batch.size());
      }
      return writer.commit();
    }
  }

  private SequenceSummary sequenceSummary(
      SequenceScores scores, int promptLength, TokenizedText response, TaskExample example, int k) {
    int n = response.size() + 1;
    int[] tokens = new int[n];
    int[] starts = new int[n];
    int[] ends = new int[n];
    int[] topIds = new int[n * k];
    float[] topLogProbs = new float[n * k];
    double nll = 0;
    int textLength = example.response().length();
    for (int i = 0; i < n; i++) {
      int t = promptLength + i;
      tokens[i] = scores.tokens()[t];
      boolean eos = i == n - 1;
      starts[i] = eos ? textLength : Math.max(0, response.starts()[i]);
      ends[i] = eos ? textLength : Math.max(starts[i], response.ends()[i]);
      System.arraycopy(scores.topIds()[t], 0, topIds, i * k, k);
      System.arraycopy(scores.topLogProbs()[t], 0, topLogProbs, i * k, k);
      nll -= scores.logProbs()[t];
    }
    return new SequenceSummary(tokens, starts, ends, topIds, topLogProbs, (float) nll);
  }
}
