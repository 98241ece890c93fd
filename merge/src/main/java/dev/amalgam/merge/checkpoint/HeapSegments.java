package dev.amalgam.merge.checkpoint;

import java.lang.foreign.MemorySegment;

/**
 * Heap segments over a few scratch arrays, made once per array. Bulk copies between float or double
 * arrays and their raw bits go through segments, and {@link MemorySegment#ofArray} allocates a
 * segment and a session on every call that the JIT does not remove: once per block that is garbage
 * in proportion to the model, and a heap that grows with it. One instance per thread.
 */
public final class HeapSegments {
  private static final int SLOTS = 8;
  private final Object[] arrays = new Object[SLOTS];
  private final MemorySegment[] segments = new MemorySegment[SLOTS];
  private int next;

  public MemorySegment of(float[] a) {
    MemorySegment s = find(a);
    return s != null ? s : remember(a, MemorySegment.ofArray(a));
  }

  public MemorySegment of(int[] a) {
    MemorySegment s = find(a);
    return s != null ? s : remember(a, MemorySegment.ofArray(a));
  }

  public MemorySegment of(double[] a) {
    MemorySegment s = find(a);
    return s != null ? s : remember(a, MemorySegment.ofArray(a));
  }

  public MemorySegment of(long[] a) {
    MemorySegment s = find(a);
    return s != null ? s : remember(a, MemorySegment.ofArray(a));
  }

  private MemorySegment find(Object array) {
    for (int i = 0; i < SLOTS; i++) {
      if (arrays[i] == array) {
        return segments[i];
      }
    }
    return null;
  }

  private MemorySegment remember(Object array, MemorySegment segment) {
    arrays[next] = array;
    segments[next] = segment;
    next = (next + 1) % SLOTS;
    return segment;
  }
}
