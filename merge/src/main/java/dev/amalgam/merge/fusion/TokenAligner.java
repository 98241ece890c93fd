package dev.amalgam.merge.fusion;

/**
 * Aligns two tokenizations of the same text by dynamic programming (dynamic time warping) over the
 * two token sequences, the cost of pairing two tokens being the edit distance between their byte
 * surfaces (doubled, plus one unless one surface contains the other: among pairs at the same
 * distance, a piece of a longer token is paired with that token rather than with a neighbour, so "
 * " next to " +" goes with " +", not with the digit before it). The cheapest monotone path pairs
 * every token with at least one token of the other side; a target token is aligned one-to-one when
 * the path pairs it with exactly one source token that is paired with nothing else.
 */
public final class TokenAligner {
  private TokenAligner() {}

  static long pairCost(String a, String b) {
    int distance = EditDistance.between(a, b);
    boolean piece = a.contains(b) || b.contains(a);
    return 2L * distance + (piece ? 0 : 1);
  }

  public static Alignment align(String[] source, String[] target) {
    int m = source.length;
    int n = target.length;
    int[] sourceOfTarget = new int[n];
    boolean[] exact = new boolean[n];
    java.util.Arrays.fill(sourceOfTarget, -1);
    if (m == 0 || n == 0) {
      return new Alignment(sourceOfTarget, exact);
    }
    long[] cost = new long[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        long pair = pairCost(source[i], target[j]);
        long best;
        if (i == 0 && j == 0) {
          best = 0;
        } else {
          best = Long.MAX_VALUE;
          if (i > 0 && j > 0) {
            best = cost[(i - 1) * n + j - 1];
          }
          if (i > 0) {
            best = Math.min(best, cost[(i - 1) * n + j]);
          }
          if (j > 0) {
            best = Math.min(best, cost[i * n + j - 1]);
          }
        }
        cost[i * n + j] = best + pair;
      }
    }
    int[] sourceUses = new int[m];
    int[] targetUses = new int[n];
    int[] pathSource = new int[m + n];
    int[] pathTarget = new int[m + n];
    int length = 0;
    int i = m - 1;
    int j = n - 1;
    while (true) {
      pathSource[length] = i;
      pathTarget[length] = j;
      length++;
      sourceUses[i]++;
      targetUses[j]++;
      if (i == 0 && j == 0) {
        break;
      }
      // Prefer the diagonal on ties: it keeps pairs one-to-one.
      if (i > 0 && j > 0) {
        long diagonal = cost[(i - 1) * n + j - 1];
        long up = cost[(i - 1) * n + j];
        long left = cost[i * n + j - 1];
        if (diagonal <= up && diagonal <= left) {
          i--;
          j--;
        } else if (up <= left) {
          i--;
        } else {
          j--;
        }
      } else if (i > 0) {
        i--;
      } else {
        j--;
      }
    }
    for (int p = 0; p < length; p++) {
      int s = pathSource[p];
      int t = pathTarget[p];
      if (sourceUses[s] == 1 && targetUses[t] == 1) {
        sourceOfTarget[t] = s;
        exact[t] = source[s].equals(target[t]);
      }
    }
    return new Alignment(sourceOfTarget, exact);
  }
}
