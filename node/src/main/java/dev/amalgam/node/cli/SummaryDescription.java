package dev.amalgam.node.cli;

import dev.amalgam.merge.fusion.SequenceSummary;
import dev.amalgam.merge.fusion.Summary;
import dev.amalgam.merge.fusion.SummaryManifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** What {@code amalgam inspect} prints for a distribution summary directory. */
final class SummaryDescription {
  private SummaryDescription() {}

  static void print(Path dir, boolean json, PrintWriter out) throws IOException {
    Summary summary = Summary.open(dir);
    SummaryManifest m = summary.manifest();
    double meanNll = 0;
    for (SequenceSummary s : summary.sequences()) {
      meanNll += s.totalNll();
    }
    meanNll /= Math.max(1, summary.sequences().size());
    double perToken = (double) m.chunkBytes() / Math.max(1, m.responseTokens());
    if (json) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("path", dir.toString());
      r.put("kind", "distribution summary");
      r.put("summary_id", summary.id().toString());
      r.put("version", SummaryManifest.VERSION);
      r.put("dataset", m.dataset().toString());
      r.put("source_model", m.sourceModel().toString());
      r.put(
          "source_tokenizer", m.sourceTokenizer() == null ? null : m.sourceTokenizer().toString());
      r.put("top_k", m.topK());
      r.put("sequences", m.sequences());
      r.put("response_tokens", m.responseTokens());
      r.put("vocabulary_size", m.vocabulary().size());
      r.put("blocks", m.chunks().size() + m.vocabulary().blocks().size());
      r.put("sequence_bytes", m.chunkBytes());
      r.put("vocabulary_bytes", m.vocabulary().bytes());
      r.put("bytes_per_response_token", perToken);
      r.put("mean_response_nll", meanNll);
      JsonOutput.print(out, r);
      return;
    }
    out.printf(
        "summary       %s (distribution summary, format version %d)%n",
        dir, SummaryManifest.VERSION);
    out.printf("summary id    %s%n", summary.id());
    out.printf("dataset id    %s%n", m.dataset());
    out.printf("source model  %s%n", m.sourceModel());
    out.printf("tokenizer id  %s%n", m.sourceTokenizer() == null ? "none" : m.sourceTokenizer());
    out.printf(
        Locale.ROOT,
        "contents      %,d sequences, %,d response tokens, top-%d, source vocabulary %,d%n",
        m.sequences(),
        m.responseTokens(),
        m.topK(),
        m.vocabulary().size());
    out.printf(
        Locale.ROOT,
        "blocks        %d sequence blocks (%s, %.1f bytes per response token) + %d vocabulary (%s); all match their CIDs%n",
        m.chunks().size(),
        Bytes.human(m.chunkBytes()),
        perToken,
        m.vocabulary().blocks().size(),
        Bytes.human(m.vocabulary().bytes()));
    out.printf(Locale.ROOT, "mean NLL      %.3f nats per response%n", meanNll);
  }
}
