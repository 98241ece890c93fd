package dev.amalgam.merge.method;

/**
 * Reductions in f64, always summed in index order so the result never depends on threading. A
 * strided view addresses elements {@code offset + k * stride} for {@code k < count}.
 */
final class VectorMath {
  private VectorMath() {}

  static double dot(float[] a, float[] b) {
    return dot(a, b, 0, 1, a.length);
  }

  static double dot(float[] a, float[] b, int offset, int stride, int count) {
    double s = 0;
    for (int k = 0, i = offset; k < count; k++, i += stride) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  static double norm(float[] a) {
    return Math.sqrt(dot(a, a));
  }

  static double norm(float[] a, int offset, int stride, int count) {
    return Math.sqrt(dot(a, a, offset, stride, count));
  }

  static float[] subtract(float[] a, float[] b) {
    float[] d = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i] - b[i];
    }
    return d;
  }

  static float[] add(float[] a, float[] b) {
    float[] d = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i] + b[i];
    }
    return d;
  }

  /** Sign with zero counted as positive, as TIES consensus does. */
  static int signOrPlus(double v) {
    return v < 0 ? -1 : 1;
  }

  /** Strict sign: 0 for zero (and NaN), so zero entries never agree with a consensus sign. */
  static int strictSign(double v) {
    return v > 0 ? 1 : v < 0 ? -1 : 0;
  }
}
