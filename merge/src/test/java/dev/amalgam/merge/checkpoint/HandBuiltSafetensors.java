package dev.amalgam.merge.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds safetensors files byte by byte from the published format (length prefix, JSON header,
 * data), independently of Amalgam's writer, so tests can also produce malformed files.
 */
final class HandBuiltSafetensors {
  private HandBuiltSafetensors() {}

  static byte[] bytes(String headerJson, byte[] data) {
    return bytes(headerJson.getBytes(StandardCharsets.UTF_8), data);
  }

  static byte[] bytes(byte[] header, byte[] data) {
    ByteBuffer buf =
        ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(header.length).put(header).put(data);
    return buf.array();
  }

  static Path write(Path file, String headerJson, byte[] data) throws IOException {
    return Files.write(file, bytes(headerJson, data));
  }

  static byte[] floatsLE(float... values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      buf.putFloat(v);
    }
    return buf.array();
  }
}
