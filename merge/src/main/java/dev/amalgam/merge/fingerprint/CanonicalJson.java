package dev.amalgam.merge.fingerprint;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical JSON encoding used for every content-addressed document (docs/formats.md): UTF-8,
 * no whitespace, object keys sorted by their UTF-8 bytes, integers only (no floats), strings
 * escaped minimally ({@code \"}, {@code \\}, and {@code \}{@code u00XX} for control characters).
 *
 * <p>Values are {@link Map} (string keys), {@link List}, {@link String}, {@link Long}/{@link
 * Integer}, {@link Boolean} or {@code long[]}.
 */
public final class CanonicalJson {
  private CanonicalJson() {}

  public static byte[] encode(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void write(Object value, StringBuilder out) {
    switch (value) {
      case null -> out.append("null");
      case String s -> writeString(s, out);
      case Long l -> out.append(l);
      case Integer i -> out.append(i);
      case Boolean b -> out.append(b);
      case long[] arr -> {
        out.append('[');
        for (int i = 0; i < arr.length; i++) {
          if (i > 0) {
            out.append(',');
          }
          out.append(arr[i]);
        }
        out.append(']');
      }
      case List<?> list -> {
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          write(list.get(i), out);
        }
        out.append(']');
      }
      case Map<?, ?> map -> {
        TreeMap<byte[], Object> sorted = new TreeMap<>(Arrays::compareUnsigned);
        map.forEach((k, v) -> sorted.put(((String) k).getBytes(StandardCharsets.UTF_8), v));
        out.append('{');
        boolean first = true;
        for (Map.Entry<byte[], Object> e : sorted.entrySet()) {
          if (!first) {
            out.append(',');
          }
          first = false;
          writeString(new String(e.getKey(), StandardCharsets.UTF_8), out);
          out.append(':');
          write(e.getValue(), out);
        }
        out.append('}');
      }
      default ->
          throw new IllegalArgumentException(
              "canonical JSON has no encoding for " + value.getClass().getSimpleName());
    }
  }

  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }

  /** Compares strings by their UTF-8 bytes, the order canonical documents list names in. */
  public static int compareUtf8(String a, String b) {
    return Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
