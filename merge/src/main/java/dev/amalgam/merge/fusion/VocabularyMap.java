package dev.amalgam.merge.fusion;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps source vocabulary ids into a target vocabulary by their byte surfaces: the target token with
 * the same surface, else the target token at the smallest edit distance (lowest id on ties).
 * Lookups are memoized, so each source id is searched once.
 */
public final class VocabularyMap {
  private static final int UNKNOWN = -2;

  private final String[] sourceSurfaces;
  private final Map<String, Integer> exact = new HashMap<>();
  private final List<List<Integer>> targetsByLength = new ArrayList<>();
  private final String[] targetSurfaces;
  private final int[] memo;

  public VocabularyMap(String[] sourceSurfaces, String[] targetSurfaces) {
    this.sourceSurfaces = sourceSurfaces.clone();
    this.targetSurfaces = targetSurfaces.clone();
    this.memo = new int[sourceSurfaces.length];
    Arrays.fill(memo, UNKNOWN);
    for (int id = 0; id < targetSurfaces.length; id++) {
      String s = targetSurfaces[id];
      if (s == null || s.isEmpty()) {
        continue;
      }
      exact.putIfAbsent(s, id);
      while (targetsByLength.size() <= s.length()) {
        targetsByLength.add(new ArrayList<>());
      }
      targetsByLength.get(s.length()).add(id);
    }
    if (exact.isEmpty()) {
      throw new IllegalArgumentException("target vocabulary has no usable token");
    }
  }

  /** Forces a mapping (e.g. source eos to target eos, whose surfaces may differ). */
  public void pin(int sourceId, int targetId) {
    memo[sourceId] = targetId;
  }

  public int map(int sourceId) {
    int known = memo[sourceId];
    if (known != UNKNOWN) {
      return known;
    }
    int mapped = search(sourceSurfaces[sourceId] == null ? "" : sourceSurfaces[sourceId]);
    memo[sourceId] = mapped;
    return mapped;
  }

  private int search(String surface) {
    Integer hit = exact.get(surface);
    if (hit != null) {
      return hit;
    }
    int best = Integer.MAX_VALUE;
    int bestStripped = Integer.MAX_VALUE;
    int bestId = Integer.MAX_VALUE;
    String stripped = surface.strip();
    int length = surface.length();
    // Candidates of length L are at least |L - length| edits away: widen until that bound loses.
    for (int delta = 0;
        delta < best && (length - delta >= 1 || length + delta < targetsByLength.size());
        delta++) {
      for (int candidateLength :
          delta == 0 ? new int[] {length} : new int[] {length - delta, length + delta}) {
        if (candidateLength < 1 || candidateLength >= targetsByLength.size()) {
          continue;
        }
        for (int id : targetsByLength.get(candidateLength)) {
          int d = EditDistance.between(surface, targetSurfaces[id]);
          if (d > best) {
            continue;
          }
          int ds = EditDistance.between(stripped, targetSurfaces[id].strip());
          if (d < best || ds < bestStripped || (ds == bestStripped && id < bestId)) {
            best = d;
            bestStripped = ds;
            bestId = id;
          }
        }
      }
    }
    return bestId;
  }
}
