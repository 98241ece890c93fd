package dev.amalgam.merge.runtime;

/**
 * A plain-Java, double-precision transcription of Hugging Face's LlamaForCausalLM forward pass for
 * one unpadded sequence, written independently of the DJL runtime to check it.
 */
final class ReferenceDecoder {

  private final DecoderConfig c;
  private final WeightSource w;

  ReferenceDecoder(DecoderConfig config, WeightSource weights) {
    this.c = config;
    this.w = weights;
  }

  /** Logits [position][vocab] for the tokens at positions 0..n-1. */
  double[][] logits(int[] tokens) {
    int n = tokens.length;
    double[][] x = new double[n][];
    float[] embed = w.floats("model.embed_tokens.weight");
    for (int t = 0; t < n; t++) {
      x[t] = row(embed, tokens[t], c.hidden());
    }
    for (int l = 0; l < c.layers(); l++) {
      String p = "model.layers." + l + ".";
      double[][] h = new double[n][];
      for (int t = 0; t < n; t++) {
        h[t] = rmsNorm(x[t], w.floats(p + "input_layernorm.weight"), c.rmsEps());
      }
      double[][] attn = attention(p, h);
      for (int t = 0; t < n; t++) {
        x[t] = add(x[t], attn[t]);
        double[] g = rmsNorm(x[t], w.floats(p + "post_attention_layernorm.weight"), c.rmsEps());
        double[] gate = matVec(w.floats(p + "mlp.gate_proj.weight"), g, c.intermediate());
        double[] up = matVec(w.floats(p + "mlp.up_proj.weight"), g, c.intermediate());
        double[] act = new double[gate.length];
        for (int i = 0; i < act.length; i++) {
          act[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
        }
        x[t] = add(x[t], matVec(w.floats(p + "mlp.down_proj.weight"), act, c.hidden()));
      }
    }
    float[] head = w.floats(c.tie() ? "model.embed_tokens.weight" : "lm_head.weight");
    double[][] logits = new double[n][];
    for (int t = 0; t < n; t++) {
      logits[t] = matVec(head, rmsNorm(x[t], w.floats("model.norm.weight"), c.rmsEps()), c.vocab());
    }
    return logits;
  }

  private double[][] attention(String p, double[][] h) {
    int n = h.length;
    int d = c.headDim();
    double[][][] q = new double[n][][];
    double[][][] k = new double[n][][];
    double[][][] v = new double[n][][];
    for (int t = 0; t < n; t++) {
      q[t] = heads(project(p + "self_attn.q_proj", h[t], c.heads() * d), c.heads());
      k[t] = heads(project(p + "self_attn.k_proj", h[t], c.kvHeads() * d), c.kvHeads());
      v[t] = heads(project(p + "self_attn.v_proj", h[t], c.kvHeads() * d), c.kvHeads());
      for (int i = 0; i < c.heads(); i++) {
        if (c.qkNorm()) {
          q[t][i] = rmsNorm(q[t][i], w.floats(p + "self_attn.q_norm.weight"), c.rmsEps());
        }
        q[t][i] = rope(q[t][i], t);
      }
      for (int i = 0; i < c.kvHeads(); i++) {
        if (c.qkNorm()) {
          k[t][i] = rmsNorm(k[t][i], w.floats(p + "self_attn.k_norm.weight"), c.rmsEps());
        }
        k[t][i] = rope(k[t][i], t);
      }
    }
    double[][] out = new double[n][c.heads() * d];
    int group = c.heads() / c.kvHeads();
    for (int t = 0; t < n; t++) {
      for (int head = 0; head < c.heads(); head++) {
        int kvHead = head / group;
        double[] scores = new double[t + 1];
        double max = Double.NEGATIVE_INFINITY;
        int first = c.slidingWindow() == 0 ? 0 : Math.max(0, t - c.slidingWindow() + 1);
        for (int s = first; s <= t; s++) {
          scores[s] = dot(q[t][head], k[s][kvHead]) / Math.sqrt(d);
          max = Math.max(max, scores[s]);
        }
        double sum = 0;
        for (int s = first; s <= t; s++) {
          scores[s] = Math.exp(scores[s] - max);
          sum += scores[s];
        }
        for (int s = first; s <= t; s++) {
          for (int i = 0; i < d; i++) {
            out[t][head * d + i] += scores[s] / sum * v[s][kvHead][i];
          }
        }
      }
    }
    double[][] result = new double[n][];
    for (int t = 0; t < n; t++) {
      result[t] = project(p + "self_attn.o_proj", out[t], c.hidden());
    }
    return result;
  }

  private double[] project(String name, double[] x, int outputs) {
    double[] y = matVec(w.floats(name + ".weight"), x, outputs);
    if (w.contains(name + ".bias")) {
      float[] bias = w.floats(name + ".bias");
      for (int i = 0; i < outputs; i++) {
        y[i] += bias[i];
      }
    }
    return y;
  }

  /** rotate-half RoPE at position pos, with the config's (possibly scaled) frequencies. */
  double[] rope(double[] x, int pos) {
    int d = x.length;
    int half = d / 2;
    double[] freq = new double[half];
    for (int i = 0; i < half; i++) {
      freq[i] = 1.0 / Math.pow(c.ropeTheta(), 2.0 * i / d);
    }
    if (c.ropeScaling() != null) {
      freq = c.ropeScaling().apply(freq);
    }
    double[] y = new double[d];
    for (int i = 0; i < d; i++) {
      double angle = pos * freq[i % half];
      double rotated = i < half ? -x[i + half] : x[i - half];
      y[i] = x[i] * Math.cos(angle) + rotated * Math.sin(angle);
    }
    return y;
  }

  static double[] rmsNorm(double[] x, float[] weight, double eps) {
    double mean = 0;
    for (double v : x) {
      mean += v * v;
    }
    mean /= x.length;
    double scale = 1 / Math.sqrt(mean + eps);
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i] * scale * weight[i];
    }
    return y;
  }

  private static double[][] heads(double[] x, int count) {
    int d = x.length / count;
    double[][] result = new double[count][d];
    for (int h = 0; h < count; h++) {
      System.arraycopy(x, h * d, result[h], 0, d);
    }
    return result;
  }

  private static double[] matVec(float[] matrix, double[] x, int rows) {
    double[] y = new double[rows];
    for (int r = 0; r < rows; r++) {
      double sum = 0;
      for (int i = 0; i < x.length; i++) {
        sum += matrix[r * x.length + i] * x[i];
      }
      y[r] = sum;
    }
    return y;
  }

  private static double[] row(float[] matrix, int row, int width) {
    double[] y = new double[width];
    for (int i = 0; i < width; i++) {
      y[i] = matrix[row * width + i];
    }
    return y;
  }

  private static double[] add(double[] a, double[] b) {
    double[] y = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      y[i] = a[i] + b[i];
    }
    return y;
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }
}
