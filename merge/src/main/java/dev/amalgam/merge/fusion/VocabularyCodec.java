package dev.amalgam.merge.fusion;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import dev.amalgam.multiformats.Varint;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The source vocabulary's byte surfaces (see {@link dev.amalgam.merge.tokenizer.TokenSurfaces}) as
 * one zstd frame: per id a varint length + 1 (0 for an unused id) and the surface bytes.
 */
final class VocabularyCodec {
  private VocabularyCodec() {}

  static byte[] encode(String[] surfaces) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String s : surfaces) {
      if (s == null) {
        Varint.write(0, out);
      } else {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        Varint.write(bytes.length + 1L, out);
        out.writeBytes(bytes);
      }
    }
    return Zstd.compress(out.toByteArray(), ChunkCodec.ZSTD_LEVEL);
  }

  static String[] decode(byte[] frame, int size, String where) {
    byte[] raw;
    try {
      long length = Zstd.getFrameContentSize(frame);
      if (length < 0 || length > (256L << 20)) {
        throw new SummaryFormatException(where + ": not a zstd frame with a known content size");
      }
      raw = Zstd.decompress(frame, (int) length);
    } catch (ZstdException e) {
      throw new SummaryFormatException(where + ": zstd cannot decompress it: " + e.getMessage());
    }
    String[] surfaces = new String[size];
    int at = 0;
    for (int id = 0; id < size; id++) {
      if (at >= raw.length) {
        throw new SummaryFormatException(
            where + ": ends after " + id + " of " + size + " vocabulary entries");
      }
      Varint.Decoded d = Varint.decode(raw, at);
      at += d.length();
      if (d.value() > raw.length - at + 1) {
        throw new SummaryFormatException(
            where + ": entry " + id + " at offset " + at + " runs past the end");
      }
      if (d.value() > 0) {
        int len = (int) d.value() - 1;
        surfaces[id] = new String(raw, at, len, StandardCharsets.ISO_8859_1);
        at += len;
      }
    }
    if (at != raw.length) {
      throw new SummaryFormatException(where + ": unexpected bytes after the last entry");
    }
    return surfaces;
  }
}
