package dev.amalgam.merge.fusion;

import dev.amalgam.merge.eval.TaskEncoding;
import dev.amalgam.merge.eval.TaskExample;
import dev.amalgam.merge.runtime.DecoderModel;
import dev.amalgam.merge.runtime.DistillationExample;
import dev.amalgam.merge.runtime.SequenceScores;
import dev.amalgam.merge.runtime.TeacherForcedScorer;
import dev.amalgam.merge.runtime.TrainingExample;
import dev.amalgam.merge.tokenizer.TokenizedText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fused training set: for every example, the target's own candidate (its top-k and its CE,
 * computed now), each source summary projected into the target's tokens, and their fusion by the
 * rule into one soft target per response token.
 *
 * @param examples one distillation example per data example, in data order
 * @param projections the source projections, with their alignment counts
 * @param targetChosen sequences whose fused distribution gives the target itself the largest weight
 */
public record FusionPlan(
    List<DistillationExample> examples, List<SourceProjection> projections, int targetChosen) {
  private static final int SCORING_BATCH = 16;

  /** Validates the inputs (one-line errors), then scores the target and fuses. */
  public static FusionPlan prepare(
      FusionData data,
      List<Summary> summaries,
      DecoderModel target,
      TaskEncoding encoding,
      FusionRule rule) {
    SummaryCompatibility.check(data, summaries);
    String[] targetSurfaces = encoding.tokenizer().tokenSurfaces();
    List<SourceProjection> projections = new ArrayList<>();
    for (Summary summary : summaries) {
      projections.add(new SourceProjection(summary, targetSurfaces, encoding.eos()));
    }
    int k = summaries.getFirst().manifest().topK();
    TeacherForcedScorer scorer = new TeacherForcedScorer(target);
    List<DistillationExample> examples = new ArrayList<>();
    int targetChosen = 0;
    List<TaskExample> all = data.examples();
    for (int start = 0; start < all.size(); start += SCORING_BATCH) {
      List<TaskExample> batch = all.subList(start, Math.min(all.size(), start + SCORING_BATCH));
      List<TrainingExample> training = new ArrayList<>();
      List<int[]> sequences = new ArrayList<>();
      for (TaskExample example : batch) {
        TrainingExample t = encoding.training(example);
        training.add(t);
        sequences.add(t.tokens());
      }
      List<SequenceScores> scores =
          scorer.score(sequences, Math.min(k, target.config().vocab()), SCORING_BATCH);
      for (int b = 0; b < batch.size(); b++) {
        TaskExample example = batch.get(b);
        TrainingExample t = training.get(b);
        int promptLength = firstResponsePosition(t);
        int[] responseIds =
            java.util.Arrays.copyOfRange(t.tokens(), promptLength, t.tokens().length);
        TokenizedText text = encoding.tokenizer().encode(example.response());
        String[] surfaces = new String[responseIds.length];
        for (int i = 0; i < text.size() && i < surfaces.length; i++) {
          String s = targetSurfaces[text.ids()[i]];
          surfaces[i] = s == null ? "" : s;
        }
        int bytes = example.response().getBytes(StandardCharsets.UTF_8).length;
        List<CandidateSequence> candidates = new ArrayList<>();
        candidates.add(targetCandidate(scores.get(b), promptLength, bytes));
        for (SourceProjection p : projections) {
          candidates.add(p.project(start + b, responseIds, surfaces, bytes));
        }
        double[] ce = candidates.stream().mapToDouble(CandidateSequence::crossEntropy).toArray();
        double[] weights = rule.weights(ce);
        int heaviest = 0;
        for (int c = 1; c < weights.length; c++) {
          heaviest = weights[c] > weights[heaviest] ? c : heaviest;
        }
        targetChosen += heaviest == 0 ? 1 : 0;
        examples.add(distillation(t, promptLength, candidates, weights));
      }
    }
    return new FusionPlan(examples, projections, targetChosen);
  }

  private static int firstResponsePosition(TrainingExample t) {
    for (int i = 0; i < t.lossMask().length; i++) {
      if (t.lossMask()[i]) {
        return i;
      }
    }
    throw new IllegalArgumentException("example has no response tokens");
  }

  private static CandidateSequence targetCandidate(
      SequenceScores scores, int promptLength, int bytes) {
    List<SparseDistribution> positions = new ArrayList<>();
    double nll = 0;
    for (int t = promptLength; t < scores.tokens().length; t++) {
      positions.add(SparseDistribution.fromTopK(scores.topIds()[t], scores.topLogProbs()[t], 0));
      nll -= scores.logProbs()[t];
    }
    return new CandidateSequence(positions, nll / (bytes + 1.0));
  }

  private static DistillationExample distillation(
      TrainingExample t, int promptLength, List<CandidateSequence> candidates, double[] weights) {
    int n = t.tokens().length;
    int[][] ids = new int[n][];
    float[][] probs = new float[n][];
    for (int i = 0; i < n; i++) {
      if (i < promptLength) {
        ids[i] = new int[0];
        probs[i] = new float[0];
        continue;
      }
      List<SparseDistribution> parts = new ArrayList<>(candidates.size());
      for (CandidateSequence c : candidates) {
        parts.add(c.positions().get(i - promptLength));
      }
      SparseDistribution fused = SparseDistribution.mix(parts, weights);
      ids[i] = fused.ids();
      probs[i] = fused.probs();
    }
    return new DistillationExample(t, ids, probs);
  }
}
