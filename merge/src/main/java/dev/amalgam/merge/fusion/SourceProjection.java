package dev.amalgam.merge.fusion;

import java.util.ArrayList;
import java.util.List;

/**
 * Brings one source summary into the target's tokens: aligns each response's source tokens with the
 * target's, maps the source top-k of one-to-one aligned positions into the target vocabulary, and
 * uses a one-hot on the gold target token everywhere else. Keeps alignment counts.
 */
public final class SourceProjection {
  private final Summary summary;
  private final VocabularyMap vocabularyMap;
  private long targetTokens;
  private long oneToOne;
  private long exact;

  public SourceProjection(Summary summary, String[] targetSurfaces, int targetEos) {
    this.summary = summary;
    this.vocabularyMap = new VocabularyMap(summary.vocabulary(), targetSurfaces);
    vocabularyMap.pin(summary.manifest().eosId(), targetEos);
  }

  /**
   * @param index the example's index in the data
   * @param targetIds the target's response ids, the last being its eos
   * @param targetSurfaces their byte surfaces (the eos entry is ignored)
   * @param responseBytes the response text's length in UTF-8 bytes
   */
  public CandidateSequence project(
      int index, int[] targetIds, String[] targetSurfaces, int responseBytes) {
    SequenceSummary s = summary.sequences().get(index);
    int k = s.topK();
    String[] sourceSurfaces = new String[s.size() - 1];
    for (int i = 0; i < sourceSurfaces.length; i++) {
      String surface = summary.vocabulary()[s.tokens()[i]];
      sourceSurfaces[i] = surface == null ? "" : surface;
    }
    String[] targetText = java.util.Arrays.copyOf(targetSurfaces, targetIds.length - 1);
    Alignment alignment = TokenAligner.align(sourceSurfaces, targetText);
    List<SparseDistribution> positions = new ArrayList<>(targetIds.length);
    int[] mapped = new int[k];
    for (int j = 0; j < targetIds.length; j++) {
      boolean eos = j == targetIds.length - 1;
      int source = eos ? s.size() - 1 : alignment.sourceOfTarget()[j];
      if (source < 0) {
        positions.add(SparseDistribution.oneHot(targetIds[j]));
        continue;
      }
      for (int r = 0; r < k; r++) {
        mapped[r] = vocabularyMap.map(s.topIds()[source * k + r]);
      }
      positions.add(SparseDistribution.fromTopK(mapped, s.topLogProbs(), source * k));
    }
    targetTokens += targetIds.length - 1;
    oneToOne += alignment.oneToOne();
    exact += alignment.exactMatches();
    return new CandidateSequence(positions, s.totalNll() / (responseBytes + 1.0));
  }

  public Summary summary() {
    return summary;
  }

  /** Share of target text tokens aligned one-to-one so far. */
  public double oneToOneShare() {
    return targetTokens == 0 ? 0 : (double) oneToOne / targetTokens;
  }

  /** Share of target text tokens aligned one-to-one with an identical surface so far. */
  public double exactShare() {
    return targetTokens == 0 ? 0 : (double) exact / targetTokens;
  }
}
