package dev.amalgam.merge.fusion;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import dev.amalgam.multiformats.Varint;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a run of sequence summaries as one block: a column-wise payload (counts, NLLs, gold ids,
 * offsets, top-k ids, quantized log-probs) compressed as one zstd frame. Columns put alike values
 * side by side, which is what lets zstd get the block to a few bytes per token. Layout in
 * docs/formats.md.
 */
final class ChunkCodec {
  static final int ZSTD_LEVEL = 19;

  private ChunkCodec() {}

  static byte[] encode(List<SequenceSummary> sequences, int topK, int scale) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Varint.write(sequences.size(), out);
    for (SequenceSummary s : sequences) {
      Varint.write(s.size(), out);
    }
    for (SequenceSummary s : sequences) {
      int bits = Float.floatToIntBits(s.totalNll());
      for (int shift = 0; shift < 32; shift += 8) {
        out.write(bits >>> shift);
      }
    }
    for (SequenceSummary s : sequences) {
      for (int id : s.tokens()) {
        Varint.write(id, out);
      }
    }
    for (SequenceSummary s : sequences) {
      int previousEnd = 0;
      for (int t = 0; t < s.size(); t++) {
        Varint.write(zigzag(s.starts()[t] - previousEnd), out);
        Varint.write(zigzag(s.ends()[t] - s.starts()[t]), out);
        previousEnd = s.ends()[t];
      }
    }
    for (SequenceSummary s : sequences) {
      for (int id : s.topIds()) {
        Varint.write(id, out);
      }
    }
    for (SequenceSummary s : sequences) {
      float[] lp = s.topLogProbs();
      for (int t = 0; t < s.size(); t++) {
        int previous = 0;
        for (int k = 0; k < topK; k++) {
          int q = quantize(lp[t * topK + k], scale);
          // Top-k log-probs come sorted, so steps are non-negative; clamp rounding noise.
          int step = Math.max(0, q - previous);
          out.write(Math.min(255, step));
          previous = Math.min(255, previous + step);
        }
      }
    }
    byte[] raw = out.toByteArray();
    return Zstd.compress(raw, ZSTD_LEVEL);
  }

  static int quantize(float logProb, int scale) {
    if (!(logProb <= 0)) {
      return 0;
    }
    return (int) Math.min(255, Math.round(-logProb * (double) scale));
  }

  /** Decodes a block; {@code where} names it in errors, with the byte offset of the problem. */
  static List<SequenceSummary> decode(
      byte[] block, long expectedCount, int topK, int scale, int vocabSize, String where) {
    byte[] raw;
    try {
      long size = Zstd.getFrameContentSize(block);
      if (size <= 0 || size > (64L << 20)) {
        throw new SummaryFormatException(
            where + ": not a zstd frame with a known content size (corrupt block)");
      }
      raw = Zstd.decompress(block, (int) size);
    } catch (ZstdException e) {
      throw new SummaryFormatException(where + ": zstd cannot decompress it: " + e.getMessage());
    }
    Reader in = new Reader(raw, where);
    long count = in.varint("sequence count");
    if (count != expectedCount) {
      throw new SummaryFormatException(
          where + ": holds " + count + " sequences, summary.json says " + expectedCount);
    }
    int[] sizes = new int[(int) count];
    for (int i = 0; i < count; i++) {
      long n = in.varint("token count");
      if (n < 1 || n > 1 << 20) {
        throw new SummaryFormatException(
            where + ": sequence " + i + " claims " + n + " response tokens (offset " + in.at + ")");
      }
      sizes[i] = (int) n;
    }
    float[] nll = new float[sizes.length];
    for (int i = 0; i < sizes.length; i++) {
      nll[i] = Float.intBitsToFloat(in.int32("nll"));
    }
    int[][] tokens = new int[sizes.length][];
    for (int i = 0; i < sizes.length; i++) {
      tokens[i] = new int[sizes[i]];
      for (int t = 0; t < sizes[i]; t++) {
        tokens[i][t] = in.id(vocabSize, "gold id");
      }
    }
    int[][] starts = new int[sizes.length][];
    int[][] ends = new int[sizes.length][];
    for (int i = 0; i < sizes.length; i++) {
      starts[i] = new int[sizes[i]];
      ends[i] = new int[sizes[i]];
      int previousEnd = 0;
      for (int t = 0; t < sizes[i]; t++) {
        starts[i][t] = previousEnd + unzigzag(in.varint("start offset"));
        ends[i][t] = starts[i][t] + unzigzag(in.varint("token length"));
        previousEnd = ends[i][t];
      }
    }
    int[][] topIds = new int[sizes.length][];
    for (int i = 0; i < sizes.length; i++) {
      topIds[i] = new int[sizes[i] * topK];
      for (int j = 0; j < topIds[i].length; j++) {
        topIds[i][j] = in.id(vocabSize, "top-k id");
      }
    }
    List<SequenceSummary> result = new ArrayList<>(sizes.length);
    for (int i = 0; i < sizes.length; i++) {
      float[] lp = new float[sizes[i] * topK];
      for (int t = 0; t < sizes[i]; t++) {
        int q = 0;
        for (int k = 0; k < topK; k++) {
          q += in.u8("log-prob");
          lp[t * topK + k] = -(float) q / scale;
        }
      }
      result.add(new SequenceSummary(tokens[i], starts[i], ends[i], topIds[i], lp, nll[i]));
    }
    if (in.at != raw.length) {
      throw new SummaryFormatException(
          where + ": " + (raw.length - in.at) + " unexpected bytes after offset " + in.at);
    }
    return result;
  }

  private static long zigzag(int v) {
    return ((long) v << 1) ^ (v >> 31);
  }

  private static int unzigzag(long v) {
    return (int) ((v >>> 1) ^ -(v & 1));
  }

  /** Reads the decompressed payload with bounds checks that name the field and offset. */
  private static final class Reader {
    private final byte[] data;
    private final String where;
    private int at;

    Reader(byte[] data, String where) {
      this.data = data;
      this.where = where;
    }

    long varint(String field) {
      if (at >= data.length) {
        throw truncated(field);
      }
      try {
        Varint.Decoded d = Varint.decode(data, at);
        at += d.length();
        return d.value();
      } catch (RuntimeException e) {
        throw new SummaryFormatException(
            where + ": bad varint in " + field + " at offset " + at + ": " + e.getMessage());
      }
    }

    int id(int vocabSize, String field) {
      int start = at;
      long id = varint(field);
      if (id >= vocabSize) {
        throw new SummaryFormatException(
            where
                + ": "
                + field
                + " "
                + id
                + " at offset "
                + start
                + " outside the vocabulary ("
                + vocabSize
                + " ids)");
      }
      return (int) id;
    }

    int int32(String field) {
      if (at + 4 > data.length) {
        throw truncated(field);
      }
      int v =
          (data[at] & 0xff)
              | (data[at + 1] & 0xff) << 8
              | (data[at + 2] & 0xff) << 16
              | (data[at + 3] & 0xff) << 24;
      at += 4;
      return v;
    }

    int u8(String field) {
      if (at >= data.length) {
        throw truncated(field);
      }
      return data[at++] & 0xff;
    }

    private SummaryFormatException truncated(String field) {
      return new SummaryFormatException(
          where + ": payload ends at offset " + at + " while reading " + field);
    }
  }
}
