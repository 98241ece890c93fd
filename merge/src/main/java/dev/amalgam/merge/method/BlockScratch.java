package dev.amalgam.merge.method;

import dev.amalgam.merge.checkpoint.HeapSegments;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The scratch arrays of {@link SparsifiedBlocks}, one set per thread rather than per tensor: a
 * merge makes a kernel for every tensor, and fresh arrays for each were garbage in proportion to
 * the model, which made the heap grow with it.
 */
final class BlockScratch {
  float[][] deltas = new float[0][];
  int[] bits = new int[0];
  float[] kept = new float[0];
  int[] offsets = new int[0];
  final HeapSegments segments = new HeapSegments();
  private final ArrayDeque<int[]> spare = new ArrayDeque<>();

  /**
   * An int array of at least {@code size} elements, with any contents: the smallest one given back
   * earlier that is large enough, or a new one. Two kernels on one thread never get the same array.
   */
  int[] take(int size) {
    int[] best = null;
    for (int[] a : spare) {
      if (a.length >= size && (best == null || a.length < best.length)) {
        best = a;
      }
    }
    if (best == null) {
      return new int[size];
    }
    spare.removeFirstOccurrence(best);
    return best;
  }

  /** Keeps {@code a} for a later {@link #take}; of more than eight, the smallest is dropped. */
  void give(int[] a) {
    if (a == null) {
      return;
    }
    spare.push(a);
    if (spare.size() > 8) {
      int[] smallest = a;
      for (int[] s : spare) {
        smallest = s.length < smallest.length ? s : smallest;
      }
      spare.removeFirstOccurrence(smallest);
    }
  }

  /** Histograms used within one call, so they can be shared by every kernel of the thread. */
  final int[] high = new int[1 << 15];

  final int[] low = new int[1 << 16];

  int[] zeroed(int[] histogram) {
    Arrays.fill(histogram, 0);
    return histogram;
  }
}
