package dev.amalgam.merge.method;

/** Spherical interpolation of two vectors given as strided views of flat arrays. */
final class Slerp {
  private Slerp() {}

  /**
   * Writes slerp(t; a, b) into {@code out} over the view. The angle comes from the normalized
   * vectors; the interpolation applies to the un-normalized originals: out = [sin((1−t)θ)·a +
   * sin(tθ)·b] / sin θ. Falls back to (1−t)·a + t·b when {@code lerp} says so for the cosine.
   */
  static void interpolate(
      float[] a,
      float[] b,
      float[] out,
      double t,
      int offset,
      int stride,
      int count,
      java.util.function.DoublePredicate lerpForCosine) {
    double na = VectorMath.norm(a, offset, stride, count);
    double nb = VectorMath.norm(b, offset, stride, count);
    double c = 1;
    if (na > 0 && nb > 0) {
      c = VectorMath.dot(a, b, offset, stride, count) / (na * nb);
      c = Math.max(-1, Math.min(1, c));
    }
    double ca;
    double cb;
    if (na == 0 || nb == 0 || lerpForCosine.test(c)) {
      ca = 1 - t;
      cb = t;
    } else {
      double theta = Math.acos(c);
      double sin = Math.sin(theta);
      ca = Math.sin((1 - t) * theta) / sin;
      cb = Math.sin(t * theta) / sin;
    }
    for (int k = 0, i = offset; k < count; k++, i += stride) {
      out[i] = (float) (ca * a[i] + cb * b[i]);
    }
  }
}
