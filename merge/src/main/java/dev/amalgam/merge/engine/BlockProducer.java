package dev.amalgam.merge.engine;

import dev.amalgam.merge.checkpoint.Bf16Lanes;
import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.DTypeCodec;
import dev.amalgam.merge.method.BlockwiseKernel;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * Produces one tensor in blocks of {@link #BLOCK} elements through a {@link BlockwiseKernel}: each
 * block of every input is decoded straight from the mapped file into a small array, once per
 * statistics pass the kernel asks for, then merged and encoded into a staging buffer that is
 * written out whenever it is full. No full-size copy of any tensor exists, and nothing of tensor
 * size is allocated. When every input and the output are BF16 the blocks run in {@link Bf16Lanes
 * lane order} (the kernel maps positions back to element indices where it needs them).
 */
final class BlockProducer {
  /** Elements per block: all inputs of a block stay in the L2 cache. */
  static final int BLOCK = 16384;

  /** Consecutive elements per run of a kernel's sample. */
  private static final int SAMPLE_RUN = 64;

  /** Blocks per write to the output file. */
  private static final int BLOCKS_PER_WRITE = 32;

  private static final ThreadLocal<BlockProducer> PER_THREAD =
      ThreadLocal.withInitial(BlockProducer::new);

  private final Bf16Lanes lanes = new Bf16Lanes(BLOCK);
  private float[][] blocks = new float[0][];
  private MemorySegment stage = MemorySegment.NULL;
  private float[][] samples = new float[0][];

  private BlockProducer() {}

  /** Merges one tensor; an elementwise method's kernel is wrapped by {@link BlockwiseKernel#of}. */
  static void produce(
      PlannedTensor t,
      Map<String, Checkpoint> inputs,
      BlockwiseKernel kernel,
      DType compute,
      CheckpointWriter writer)
      throws IOException {
    PER_THREAD.get().run(t, inputs, kernel, compute, writer);
  }

  private void run(
      PlannedTensor t,
      Map<String, Checkpoint> inputs,
      BlockwiseKernel kernel,
      DType compute,
      CheckpointWriter writer)
      throws IOException {
    int models = t.models().size();
    boolean hasBase = t.base() != null;
    int sources = models + (hasBase ? 1 : 0);
    MemorySegment[] bytes = new MemorySegment[sources];
    DType[] types = new DType[sources];
    DType outType = t.output().dtype();
    boolean laneOrder = outType == DType.BF16;
    for (int s = 0; s < sources; s++) {
      TensorSource source = s < models ? t.models().get(s) : t.base();
      Checkpoint c = inputs.get(source.model());
      bytes[s] = c.bytes(source.tensor());
      types[s] = c.info(source.tensor()).dtype();
      laneOrder &= types[s] == DType.BF16;
    }
    long n = t.output().elementCount();
    float[][] arrays = blocks(sources + 1);
    float[][] x = new float[models][];
    System.arraycopy(arrays, 0, x, 0, models);
    float[] base = hasBase ? arrays[models] : null;
    float[] out = arrays[sources];
    long blockBytes = (long) BLOCK * outType.byteSize();
    MemorySegment buffer = stage(blockBytes * BLOCKS_PER_WRITE);
    int sampleSize = (int) Math.min(kernel.sampleSize(), n);
    if (sampleSize > 0 && kernel.needsPass()) {
      sample(kernel, sampleSize, n, bytes, types, laneOrder, arrays, sources, compute, models);
    }
    while (kernel.needsPass()) {
      for (long first = 0; first < n; first += BLOCK) {
        int len = (int) Math.min(BLOCK, n - first);
        decode(bytes, types, laneOrder, first, len, arrays, sources, compute);
        kernel.observe(first, base, x, len, laneOrder);
      }
      kernel.endPass();
    }
    CheckpointWriter.Pieces pieces = writer.pieces(t.name());
    long staged = 0;
    for (long first = 0; first < n; first += BLOCK) {
      int len = (int) Math.min(BLOCK, n - first);
      decode(bytes, types, laneOrder, first, len, arrays, sources, compute);
      kernel.merge(first, base, x, len, laneOrder, out);
      if (laneOrder) {
        lanes.encode(out, len, buffer, staged);
      } else {
        DTypeCodec.encode(outType, out, 0, len, buffer, staged);
      }
      staged += (long) len * outType.byteSize();
      if (staged + blockBytes > buffer.byteSize()) {
        pieces.write(buffer.asSlice(0, staged));
        staged = 0;
      }
    }
    if (staged > 0) {
      pieces.write(buffer.asSlice(0, staged));
    }
    pieces.finish();
  }

  /**
   * Hands the kernel {@code size} elements in runs of {@link #SAMPLE_RUN} spread evenly over the
   * tensor: a cheap look at the whole tensor before the statistics passes.
   */
  private void sample(
      BlockwiseKernel kernel,
      int size,
      long n,
      MemorySegment[] bytes,
      DType[] types,
      boolean laneOrder,
      float[][] arrays,
      int sources,
      DType compute,
      int models) {
    float[][] sample = sampleArrays(sources, size);
    int runs = (size + SAMPLE_RUN - 1) / SAMPLE_RUN;
    int filled = 0;
    for (int r = 0; r < runs && filled < size; r++) {
      long first = (n - SAMPLE_RUN) * r / Math.max(1, runs - 1) & ~1L;
      int len = (int) Math.min(Math.min(SAMPLE_RUN, size - filled), n - first);
      decode(bytes, types, laneOrder, first, len, arrays, sources, compute);
      for (int s = 0; s < sources; s++) {
        System.arraycopy(arrays[s], 0, sample[s], filled, len);
      }
      filled += len;
    }
    float[][] x = new float[models][];
    System.arraycopy(sample, 0, x, 0, models);
    kernel.sample(models < sources ? sample[models] : null, x, filled);
  }

  private void decode(
      MemorySegment[] bytes,
      DType[] types,
      boolean laneOrder,
      long first,
      int len,
      float[][] arrays,
      int sources,
      DType compute) {
    for (int s = 0; s < sources; s++) {
      if (laneOrder) {
        lanes.decode(bytes[s], first, len, arrays[s]);
      } else {
        DTypeCodec.decode(types[s], bytes[s], first, arrays[s], 0, len);
      }
      ComputeDtype.round(arrays[s], len, compute);
    }
  }

  /** At least {@code count} arrays of at least {@code size}, kept for the thread's next tensors. */
  private float[][] sampleArrays(int count, int size) {
    if (samples.length < count || samples[0].length < size) {
      int length = Math.max(size, samples.length > 0 ? samples[0].length : 0);
      samples = new float[Math.max(count, samples.length)][length];
    }
    return samples;
  }

  private float[][] blocks(int count) {
    if (blocks.length < count) {
      blocks = new float[count][BLOCK];
    }
    return blocks;
  }

  private MemorySegment stage(long size) {
    if (stage.byteSize() < size) {
      stage = Arena.ofAuto().allocate(size, 8);
    }
    return stage;
  }
}
