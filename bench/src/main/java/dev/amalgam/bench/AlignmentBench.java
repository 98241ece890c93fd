package dev.amalgam.bench;

import dev.amalgam.merge.eval.Split;
import dev.amalgam.merge.eval.TaskExample;
import dev.amalgam.merge.eval.TaskFamilies;
import dev.amalgam.merge.fusion.Alignment;
import dev.amalgam.merge.fusion.TokenAligner;
import dev.amalgam.merge.fusion.VocabularyMap;
import dev.amalgam.merge.tokenizer.TextTokenizer;
import dev.amalgam.merge.tokenizer.TokenizedText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Cross-tokenizer alignment throughput: DTW alignment of Llama-2 against Qwen3 tokenizations
 * (target tokens aligned per second), and cold vocabulary-map lookups (exact or nearest of Qwen3's
 * 151k surfaces). Texts: composite task responses and instructions. Needs interop/node_modules (npm
 * ci in interop/). Usage: AlignmentBench [N_TEXTS]
 */
public final class AlignmentBench {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    Path modules = Path.of("interop/node_modules/@lenml");
    try (TextTokenizer llama =
            TextTokenizer.load(modules.resolve("tokenizer-llama2/models/tokenizer.json"));
        TextTokenizer qwen =
            TextTokenizer.load(modules.resolve("tokenizer-qwen3/models/tokenizer.json"))) {
      String[] llamaSurfaces = llama.tokenSurfaces();
      String[] qwenSurfaces = qwen.tokenSurfaces();
      List<String[]> sources = new ArrayList<>();
      List<String[]> targets = new ArrayList<>();
      List<int[]> sourceIds = new ArrayList<>();
      for (TaskExample e :
          TaskFamilies.generate(TaskFamilies.byName("composite"), Split.TEST, n, 7)) {
        String text = e.instruction() + "\n" + e.response();
        TokenizedText s = llama.encode(text);
        TokenizedText t = qwen.encode(text);
        sources.add(pick(llamaSurfaces, s.ids()));
        targets.add(pick(qwenSurfaces, t.ids()));
        sourceIds.add(s.ids());
      }
      for (int warm = 0; warm < Math.min(200, n); warm++) {
        TokenAligner.align(sources.get(warm), targets.get(warm));
      }
      long targetTokens = 0;
      long sourceTokens = 0;
      long exact = 0;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        Alignment a = TokenAligner.align(sources.get(i), targets.get(i));
        targetTokens += targets.get(i).length;
        sourceTokens += sources.get(i).length;
        exact += a.exactMatches();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "alignment: %d texts, %,d Llama-2 / %,d Qwen3 tokens in %.2f s = %,.0f target tokens/s"
              + " (exact one-to-one %.1f%%)%n",
          n,
          sourceTokens,
          targetTokens,
          seconds,
          targetTokens / seconds,
          100.0 * exact / targetTokens);

      VocabularyMap map = new VocabularyMap(llamaSurfaces, qwenSurfaces);
      long t1 = System.nanoTime();
      int distinct = 0;
      java.util.BitSet seen = new java.util.BitSet();
      for (int[] ids : sourceIds) {
        for (int id : ids) {
          if (!seen.get(id)) {
            seen.set(id);
            map.map(id);
            distinct++;
          }
        }
      }
      double mapSeconds = (System.nanoTime() - t1) / 1e9;
      // Ids near the end of Llama-2's vocabulary are rare pieces, many with no exact Qwen3 twin.
      long t2 = System.nanoTime();
      int rare = 0;
      for (int id = 31000; id < 32000; id++) {
        map.map(id);
        rare++;
      }
      double rareSeconds = (System.nanoTime() - t2) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "vocabulary map (cold): %d distinct ids of the texts in %.3f s; %d rare ids (31000-31999) in %.2f s = %,.0f lookups/s%n",
          distinct,
          mapSeconds,
          rare,
          rareSeconds,
          rare / rareSeconds);
    }
  }

  private static String[] pick(String[] vocabulary, int[] ids) {
    String[] out = new String[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = vocabulary[ids[i]] == null ? "" : vocabulary[ids[i]];
    }
    return out;
  }
}
