package dev.amalgam.merge.checkpoint;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The element types safetensors files may hold, with their safetensors names. */
public enum DType {
  F64(8, true),
  F32(4, true),
  F16(2, true),
  BF16(2, true),
  I64(8, false),
  I32(4, false),
  I16(2, false),
  I8(1, false),
  U8(1, false),
  BOOL(1, false),
  F8_E4M3(1, true),
  F8_E5M2(1, true);

  private final int byteSize;
  private final boolean floatingPoint;

  DType(int byteSize, boolean floatingPoint) {
    this.byteSize = byteSize;
    this.floatingPoint = floatingPoint;
  }

  public int byteSize() {
    return byteSize;
  }

  public boolean isFloatingPoint() {
    return floatingPoint;
  }

  /** Parses a safetensors dtype name; also accepts the torch names users write in recipes. */
  public static DType parse(String name) {
    String n = name.strip().toUpperCase(java.util.Locale.ROOT);
    return switch (n) {
      case "FLOAT64", "DOUBLE" -> F64;
      case "FLOAT32", "FLOAT" -> F32;
      case "FLOAT16", "HALF", "FP16" -> F16;
      case "BFLOAT16", "BF16" -> BF16;
      case "FP32" -> F32;
      case "INT64" -> I64;
      case "INT32" -> I32;
      case "INT16" -> I16;
      case "INT8" -> I8;
      case "UINT8" -> U8;
      case "FLOAT8_E4M3FN", "F8_E4M3FN" -> F8_E4M3;
      case "FLOAT8_E5M2" -> F8_E5M2;
      default -> {
        try {
          yield valueOf(n);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "unknown dtype '"
                  + name
                  + "' (expected one of "
                  + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "))
                  + ")");
        }
      }
    };
  }
}
