package dev.amalgam.merge.runtime;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Trains a {@link DecoderModel} in place with a causal-LM loss masked to response tokens, DJL
 * autograd, AdamW, warmup + cosine schedule and global-norm gradient clipping.
 *
 * <p>With {@code microBatches} k above 1, a step sorts its batch by length and runs it as k
 * micro-batches, each padded only to its own longest sequence, accumulating their gradients: the
 * update is the one the whole batch gives (up to float rounding), with less padding computed.
 *
 * <p>A step whose loss or gradient norm is not finite is skipped: its update is not applied and the
 * next batch is tried. {@value #MAX_SKIPPED_IN_A_ROW} skipped steps in a row mean the weights
 * themselves have diverged, and the step throws {@link TrainingDivergedException}.
 */
public final class CausalLmTrainer implements AutoCloseable {
  static final int MAX_SKIPPED_IN_A_ROW = 5;
  private static final NDIndex EVERYTHING = new NDIndex("...");

  private final DecoderModel model;
  private final TrainingConfig config;
  private final int microBatches;
  private int skippedInARow;
  private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
  private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
  private int step;

  public CausalLmTrainer(DecoderModel model, TrainingConfig config) {
    this(model, config, 1);
  }

  public CausalLmTrainer(DecoderModel model, TrainingConfig config, int microBatches) {
    if (microBatches < 1) {
      throw new IllegalArgumentException(
          "training: micro-batches per step must be 1 or more, got " + microBatches);
    }
    this.model = model;
    this.config = config;
    this.microBatches = microBatches;
    model.enableGradients();
    for (Map.Entry<String, NDArray> entry : model.parameters().entrySet()) {
      NDArray m = model.manager().zeros(entry.getValue().getShape());
      NDArray v = model.manager().zeros(entry.getValue().getShape());
      NDScope.unregister(m, v);
      firstMoments.put(entry.getKey(), m);
      secondMoments.put(entry.getKey(), v);
    }
  }

  public int stepsDone() {
    return step;
  }

  /** One optimizer step on the batch. */
  public StepResult step(List<TrainingExample> batch) {
    return optimize(batch, Function.identity(), this::negativeLogLikelihood);
  }

  /**
   * One optimizer step with the distillation loss lambda * CE(gold) + (1 - lambda) * CE(soft
   * target), both averaged over the response tokens.
   */
  public StepResult step(List<DistillationExample> batch, double lambda) {
    if (!(lambda >= 0 && lambda <= 1)) {
      throw new IllegalArgumentException(
          "distillation weight lambda must be in [0, 1], got " + lambda);
    }
    return optimize(
        batch,
        DistillationExample::example,
        (scope, part) -> distillationLossSum(scope, part, lambda));
  }

  /**
   * One optimizer step: the loss is lossSum over the batch (or its micro-batches) divided by the
   * batch's response-token count.
   */
  private <T> StepResult optimize(
      List<T> batch,
      Function<T, TrainingExample> example,
      BiFunction<NDManager, List<T>, NDArray> lossSum) {
    float total = responseTokens(batch.stream().map(example).toList());
    double learningRate = config.learningRateAt(step);
    // The collector restores the mode it found; updates below must run with autograd off.
    ComputeThreads.disableGradients();
    try (NDScope ignored = new NDScope();
        NDManager scope = model.manager().newSubManager()) {
      double loss = 0;
      try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
        for (List<T> part : microBatches(batch, example)) {
          try (NDScope ignoredPart = new NDScope();
              NDManager partScope = scope.newSubManager()) {
            NDArray partLoss = lossSum.apply(partScope, part).div(total);
            collector.backward(partLoss);
            loss += partLoss.getFloat();
          }
        }
      }
      Map<String, NDArray> gradients = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> entry : model.parameters().entrySet()) {
        gradients.put(entry.getKey(), entry.getValue().getGradient());
      }
      double norm = clip(gradients);
      boolean finite = Double.isFinite(loss) && Double.isFinite(norm);
      if (finite) {
        update(gradients, learningRate);
      }
      for (NDArray gradient : gradients.values()) {
        // Not muli(0): a NaN gradient times 0 stays NaN and would poison every later step.
        gradient.set(EVERYTHING, 0f);
      }
      skippedInARow = finite ? 0 : skippedInARow + 1;
      if (skippedInARow == MAX_SKIPPED_IN_A_ROW) {
        throw new TrainingDivergedException(step + 1, loss, norm, learningRate, skippedInARow);
      }
      return new StepResult(step++, loss, learningRate, norm, finite);
    }
  }

  private <T> List<List<T>> microBatches(List<T> batch, Function<T, TrainingExample> example) {
    return microBatches(batch, microBatches, e -> example.apply(e).tokens().length);
  }

  /**
   * The batch sorted by length and cut into up to {@code parts} runs of neighbouring lengths: the
   * micro-batches a step with that many runs (as it is the batch unchanged for 1).
   */
  public static <T> List<List<T>> microBatches(List<T> batch, int parts, ToIntFunction<T> length) {
    int runs = Math.min(parts, batch.size());
    if (runs == 1) {
      return List.of(batch);
    }
    List<T> sorted = new ArrayList<>(batch);
    sorted.sort(Comparator.comparingInt(length));
    List<List<T>> result = new ArrayList<>(runs);
    for (int p = 0; p < runs; p++) {
      result.add(sorted.subList(p * sorted.size() / runs, (p + 1) * sorted.size() / runs));
    }
    return result;
  }

  private static float responseTokens(List<TrainingExample> batch) {
    float total = 0;
    for (TrainingExample example : batch) {
      boolean[] mask = example.lossMask();
      for (int t = 1; t < mask.length; t++) {
        if (mask[t]) {
          total++;
        }
      }
    }
    if (total == 0) {
      throw new IllegalArgumentException("training batch has no response tokens to learn");
    }
    return total;
  }

  /** The masked loss on a batch without changing the model. */
  public double loss(List<TrainingExample> batch) {
    ComputeThreads.disableGradients();
    try (NDScope ignored = new NDScope();
        NDManager scope = model.manager().newSubManager()) {
      float total = responseTokens(batch);
      return negativeLogLikelihood(scope, batch).div(total).getFloat();
    }
  }

  /** The distillation loss on a batch without changing the model. */
  public double loss(List<DistillationExample> batch, double lambda) {
    ComputeThreads.disableGradients();
    try (NDScope ignored = new NDScope();
        NDManager scope = model.manager().newSubManager()) {
      float total = responseTokens(batch.stream().map(DistillationExample::example).toList());
      return distillationLossSum(scope, batch, lambda).div(total).getFloat();
    }
  }

  /** Negative log-likelihood summed over the tokens whose loss mask is set. */
  private NDArray negativeLogLikelihood(NDManager scope, List<TrainingExample> batch) {
    LossInputs in = lossInputs(scope, batch);
    return in.goldLogProbs().mul(in.weights()).sum().neg();
  }

  /** lambda * CE(gold) + (1 - lambda) * CE(soft target), summed over the response tokens. */
  private NDArray distillationLossSum(
      NDManager scope, List<DistillationExample> batch, double lambda) {
    LossInputs in = lossInputs(scope, batch.stream().map(DistillationExample::example).toList());
    int rows = in.batch() * in.predicted();
    int width = 1;
    for (DistillationExample example : batch) {
      for (int[] ids : example.targetIds()) {
        width = Math.max(width, ids.length);
      }
    }
    long[] ids = new long[rows * width];
    float[] probs = new float[rows * width];
    for (int b = 0; b < batch.size(); b++) {
      DistillationExample example = batch.get(b);
      boolean[] mask = example.example().lossMask();
      for (int t = 1; t < mask.length; t++) {
        if (!mask[t]) {
          continue;
        }
        int row = b * in.predicted() + t - 1;
        int[] targetIds = example.targetIds()[t];
        float[] targetProbs = example.targetProbs()[t];
        for (int k = 0; k < targetIds.length; k++) {
          if (targetIds[k] < 0 || targetIds[k] >= model.config().vocab()) {
            throw new IllegalArgumentException(
                "sequence "
                    + b
                    + ", position "
                    + t
                    + ": soft-target id "
                    + targetIds[k]
                    + " outside [0, "
                    + model.config().vocab()
                    + ")");
          }
          ids[row * width + k] = targetIds[k];
          probs[row * width + k] = targetProbs[k];
        }
      }
    }
    Shape shape = new Shape(in.batch(), in.predicted(), width);
    NDArray soft =
        in.logProbs().gather(scope.create(ids, shape), 2).mul(scope.create(probs, shape)).sum();
    NDArray gold = in.goldLogProbs().mul(in.weights()).sum();
    return gold.mul((float) lambda).add(soft.mul((float) (1 - lambda))).neg();
  }

  /** Log-probs of the batch, the gold tokens' log-probs and the response-token weights. */
  private record LossInputs(
      NDArray logProbs, NDArray goldLogProbs, NDArray weights, int batch, int predicted) {}

  private LossInputs lossInputs(NDManager scope, List<TrainingExample> batch) {
    List<int[]> sequences = batch.stream().map(TrainingExample::tokens).toList();
    PaddedBatch.checkVocabulary(sequences, model.config().vocab());
    PaddedBatch padded = PaddedBatch.rightPadded(sequences);
    int length = padded.length();
    float[] weights = new float[padded.batch() * (length - 1)];
    for (int b = 0; b < batch.size(); b++) {
      boolean[] mask = batch.get(b).lossMask();
      for (int t = 1; t < mask.length; t++) {
        if (mask[t]) {
          weights[b * (length - 1) + t - 1] = 1f;
        }
      }
    }
    NDArray ids = padded.idArray(scope);
    NDArray mask = padded.maskArray(scope);
    NDArray logits = model.forward(ids, mask, DecoderModel.positionsFromMask(mask), null);
    NDArray logProbs = logits.get(":, :-1, :").logSoftmax(-1);
    NDArray targetLogProbs = logProbs.gather(ids.get(":, 1:").expandDims(2), 2).squeeze(2);
    NDArray weightArray = scope.create(weights, new Shape(padded.batch(), length - 1));
    return new LossInputs(logProbs, targetLogProbs, weightArray, padded.batch(), length - 1);
  }

  /** Scales all gradients so their global L2 norm is at most maxGradNorm; returns the norm. */
  private double clip(Map<String, NDArray> gradients) {
    double squares = 0;
    for (NDArray gradient : gradients.values()) {
      squares += gradient.square().sum().getFloat();
    }
    double norm = Math.sqrt(squares);
    if (config.maxGradNorm() > 0 && norm > config.maxGradNorm()) {
      float scale = (float) (config.maxGradNorm() / (norm + 1e-6));
      for (NDArray gradient : gradients.values()) {
        gradient.muli(scale);
      }
    }
    return norm;
  }

  /** AdamW with decoupled weight decay, as in PyTorch's torch.optim.AdamW. */
  private void update(Map<String, NDArray> gradients, double learningRate) {
    int t = step + 1;
    double correction1 = 1 - Math.pow(config.beta1(), t);
    double correction2 = 1 - Math.pow(config.beta2(), t);
    for (Map.Entry<String, NDArray> entry : model.parameters().entrySet()) {
      String name = entry.getKey();
      NDArray parameter = entry.getValue();
      NDArray gradient = gradients.get(name);
      NDArray m = firstMoments.get(name);
      NDArray v = secondMoments.get(name);
      m.muli((float) config.beta1()).addi(gradient.mul((float) (1 - config.beta1())));
      v.muli((float) config.beta2()).addi(gradient.square().muli((float) (1 - config.beta2())));
      if (config.weightDecay() > 0 && parameter.getShape().dimension() >= 2) {
        parameter.muli((float) (1 - learningRate * config.weightDecay()));
      }
      NDArray denominator = v.div((float) correction2).sqrt().addi((float) config.epsilon());
      parameter.subi(m.div(denominator).muli((float) (learningRate / correction1)));
    }
  }

  @Override
  public void close() {
    for (NDArray array : firstMoments.values()) {
      array.close();
    }
    for (NDArray array : secondMoments.values()) {
      array.close();
    }
  }
}
