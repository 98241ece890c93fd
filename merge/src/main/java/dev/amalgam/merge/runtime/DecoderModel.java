package dev.amalgam.merge.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A Llama-family decoder (Llama, Mistral, Qwen2, Qwen3) computed with DJL NDArray ops in fp32,
 * following Hugging Face's {@code LlamaForCausalLM}: pre-norm RMSNorm blocks, rotate-half RoPE,
 * grouped-query attention scaled by 1/sqrt(head_dim), SwiGLU MLP.
 *
 * <p>Parameters live in the model's own native memory until {@link #close()}. Callers of the
 * package-private {@link #forward} must wrap it in an {@link NDScope} so intermediates are freed.
 */
public final class DecoderModel implements WeightSource, AutoCloseable {

  private static final float MASKED = -1e9f;

  private final DecoderConfig config;
  private final NDManager manager;
  private final Map<String, NDArray> parameters = new LinkedHashMap<>();
  private final Map<String, long[]> shapes;
  private final float[] inverseFrequencies;
  private boolean trainable;

  private DecoderModel(DecoderConfig config) {
    this.config = config;
    this.manager = NDManager.newBaseManager();
    this.shapes = WeightNames.shapes(config);
    this.inverseFrequencies = Rope.inverseFrequencies(config);
  }

  /** Builds a model and copies every parameter the config needs from the source. */
  public static DecoderModel load(DecoderConfig config, WeightSource source) {
    DecoderModel model = new DecoderModel(config);
    try {
      for (String name : model.shapes.keySet()) {
        if (!source.contains(name)) {
          throw new IllegalArgumentException("weights: missing tensor " + name);
        }
        long[] shape = source.shape(name);
        if (!Arrays.equals(shape, model.shapes.get(name))) {
          throw new IllegalArgumentException(
              "weights: tensor "
                  + name
                  + " has shape "
                  + Arrays.toString(shape)
                  + ", config needs "
                  + Arrays.toString(model.shapes.get(name)));
        }
        model.setWeight(name, source.floats(name));
      }
      return model;
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  public DecoderConfig config() {
    return config;
  }

  NDManager manager() {
    return manager;
  }

  /** Replaces a parameter's values in place (same shape); merged tensors arrive this way. */
  public void setWeight(String name, float[] values) {
    long[] shape = shapes.get(name);
    if (shape == null) {
      throw new IllegalArgumentException("model has no parameter named " + name);
    }
    long count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    if (values.length != count) {
      throw new IllegalArgumentException(
          "parameter " + name + ": expected " + count + " values, got " + values.length);
    }
    NDArray fresh = manager.create(values, new Shape(shape));
    NDScope.unregister(fresh);
    if (trainable) {
      fresh.setRequiresGradient(true);
    }
    NDArray old = parameters.put(name, fresh);
    if (old != null) {
      old.close();
    }
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(shapes.keySet());
  }

  @Override
  public float[] floats(String name) {
    return parameter(name).toFloatArray();
  }

  @Override
  public long[] shape(String name) {
    parameter(name);
    return shapes.get(name).clone();
  }

  /** All parameters as fp32 values by Hugging Face name, in checkpoint order. */
  public Map<String, float[]> exportWeights() {
    Map<String, float[]> weights = new LinkedHashMap<>();
    for (String name : shapes.keySet()) {
      weights.put(name, floats(name));
    }
    return weights;
  }

  public long parameterCount() {
    return shapes.values().stream()
        .mapToLong(s -> Arrays.stream(s).reduce(1, (a, b) -> a * b))
        .sum();
  }

  NDArray parameter(String name) {
    NDArray array = parameters.get(name);
    if (array == null) {
      throw new IllegalArgumentException("model has no parameter named " + name);
    }
    return array;
  }

  Map<String, NDArray> parameters() {
    return Collections.unmodifiableMap(parameters);
  }

  /** Makes every parameter collect gradients (for training). */
  void enableGradients() {
    trainable = true;
    for (NDArray parameter : parameters.values()) {
      parameter.setRequiresGradient(true);
    }
  }

  /**
   * The decoder's logits.
   *
   * @param ids int64 [batch, length] token ids
   * @param keyMask float32 [batch, cached + length]: 1 for real tokens, 0 for padding
   * @param positions float32 [batch, length] RoPE position of each token
   * @param cache keys/values of earlier positions, extended by this call; null for none
   * @return float32 [batch, length, vocab]
   */
  NDArray forward(NDArray ids, NDArray keyMask, NDArray positions, KvCache cache) {
    NDManager scope = ids.getManager();
    long batch = ids.getShape().get(0);
    long length = ids.getShape().get(1);
    long past = cache == null ? 0 : cache.length();

    NDArray x = parameter(WeightNames.EMBED).get(ids.reshape(batch * length));
    x.attach(scope);
    x = x.reshape(batch, length, config.hidden());

    NDArray[] cosSin = Rope.cosSin(positions, inverseFrequencies);
    NDArray bias = attentionBias(scope, keyMask, batch, length, past);

    for (int layer = 0; layer < config.layers(); layer++) {
      NDArray h = rmsNorm(x, parameter(WeightNames.layer(layer, "input_layernorm.weight")));
      x = x.add(attention(layer, h, cosSin, bias, cache));
      h = rmsNorm(x, parameter(WeightNames.layer(layer, "post_attention_layernorm.weight")));
      x = x.add(mlp(layer, h));
    }
    x = rmsNorm(x, parameter(WeightNames.FINAL_NORM));
    return linear(x, parameter(config.tie() ? WeightNames.EMBED : WeightNames.LM_HEAD), null);
  }

  private NDArray attention(int layer, NDArray h, NDArray[] cosSin, NDArray bias, KvCache cache) {
    long batch = h.getShape().get(0);
    long length = h.getShape().get(1);
    int d = config.headDim();
    NDArray q = project(layer, "q_proj", h, config.qkvBias());
    NDArray k = project(layer, "k_proj", h, config.qkvBias());
    NDArray v = project(layer, "v_proj", h, config.qkvBias());
    q = q.reshape(batch, length, config.heads(), d);
    k = k.reshape(batch, length, config.kvHeads(), d);
    v = v.reshape(batch, length, config.kvHeads(), d);
    if (config.qkNorm()) {
      q = rmsNorm(q, parameter(WeightNames.layer(layer, "self_attn.q_norm.weight")));
      k = rmsNorm(k, parameter(WeightNames.layer(layer, "self_attn.k_norm.weight")));
    }
    q = Rope.apply(q.transpose(0, 2, 1, 3), cosSin);
    k = Rope.apply(k.transpose(0, 2, 1, 3), cosSin);
    v = v.transpose(0, 2, 1, 3);
    if (cache != null) {
      NDArray[] kv = cache.append(layer, k, v);
      k = kv[0];
      v = kv[1];
    }
    k = repeatKv(k);
    v = repeatKv(v);
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(1.0 / Math.sqrt(d)).add(bias);
    NDArray out = scores.softmax(-1).matMul(v);
    out = out.transpose(0, 2, 1, 3).reshape(batch, length, (long) config.heads() * d);
    return linear(
        out,
        parameter(WeightNames.layer(layer, "self_attn.o_proj.weight")),
        config.outputBias() ? parameter(WeightNames.layer(layer, "self_attn.o_proj.bias")) : null);
  }

  private NDArray project(int layer, String projection, NDArray h, boolean hasBias) {
    String prefix = "self_attn." + projection;
    return linear(
        h,
        parameter(WeightNames.layer(layer, prefix + ".weight")),
        hasBias ? parameter(WeightNames.layer(layer, prefix + ".bias")) : null);
  }

  private NDArray mlp(int layer, NDArray h) {
    NDArray gate = linear(h, parameter(WeightNames.layer(layer, "mlp.gate_proj.weight")), null);
    NDArray up = linear(h, parameter(WeightNames.layer(layer, "mlp.up_proj.weight")), null);
    NDArray activated = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(up);
    return linear(activated, parameter(WeightNames.layer(layer, "mlp.down_proj.weight")), null);
  }

  /** Repeats each kv head for the query heads that share it: [B,KV,S,D] to [B,H,S,D]. */
  private NDArray repeatKv(NDArray kv) {
    int repeats = config.queriesPerKvHead();
    if (repeats == 1) {
      return kv;
    }
    Shape s = kv.getShape();
    return kv.expandDims(2)
        .repeat(2, repeats)
        .reshape(s.get(0), (long) config.heads(), s.get(2), s.get(3));
  }

  /**
   * x · Wᵀ (+ b), W in Hugging Face [out, in] layout. x is flattened to 2-D first: one GEMM on a
   * transposed view is faster than PyTorch's batched matmul path.
   */
  private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    Shape shape = x.getShape();
    long inputs = shape.get(shape.dimension() - 1);
    NDArray transposed = weight.transpose();
    NDArray y = x.reshape(-1, inputs).matMul(transposed);
    transposed.close();
    if (bias != null) {
      y = y.add(bias);
    }
    long[] outShape = shape.getShape().clone();
    outShape[outShape.length - 1] = weight.getShape().get(0);
    return y.reshape(outShape);
  }

  /** Hugging Face RMSNorm: x * rsqrt(mean(x²) + eps) * weight, over the last axis, in fp32. */
  NDArray rmsNorm(NDArray x, NDArray weight) {
    NDArray variance = x.square().mean(new int[] {-1}, true);
    return x.div(variance.add(config.rmsEps()).sqrt()).mul(weight);
  }

  /**
   * Additive attention bias [B,1,T,S]: 0 where query i may attend key j (j at or before i's
   * absolute position, and key j is not padding), a large negative number elsewhere.
   */
  private static NDArray attentionBias(
      NDManager scope, NDArray keyMask, long batch, long length, long past) {
    long keys = past + length;
    if (keyMask.getShape().get(1) != keys) {
      throw new IllegalArgumentException(
          "key mask covers " + keyMask.getShape().get(1) + " positions, expected " + keys);
    }
    float[] causal = new float[Math.toIntExact(length * keys)];
    for (int i = 0; i < length; i++) {
      for (int j = 0; j < keys; j++) {
        causal[Math.toIntExact(i * keys + j)] = j <= past + i ? 1f : 0f;
      }
    }
    NDArray allowed =
        scope
            .create(causal, new Shape(1, 1, length, keys))
            .mul(keyMask.toType(DataType.FLOAT32, false).reshape(batch, 1, 1, keys));
    return allowed.sub(1f).mul(-MASKED);
  }

  /** Positions 0,1,2,... of the real tokens, counting only unmasked ones (left padding safe). */
  static NDArray positionsFromMask(NDArray mask) {
    NDArray counted = mask.toType(DataType.FLOAT32, false).cumSum(1).sub(1f);
    return NDArrays.maximum(counted, 0f);
  }

  @Override
  public void close() {
    manager.close();
  }
}
