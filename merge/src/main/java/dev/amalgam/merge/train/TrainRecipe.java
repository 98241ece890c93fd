package dev.amalgam.merge.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.eval.TaskFamilies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An {@code amalgam train} config: a model to start from (a {@code base} checkpoint, or {@code
 * init} with a config.json-style architecture and a {@code tokenizer}), a task mix, and the
 * optimizer schedule. Paths are relative to the config file. Documented in zoo/README.md.
 */
public record TrainRecipe(
    @JsonProperty("base") String base,
    @JsonProperty("init") JsonNode init,
    @JsonProperty("tokenizer") String tokenizer,
    @JsonProperty("data") List<TaskMix> data,
    @JsonProperty("seed") Long seed,
    @JsonProperty("steps") Integer steps,
    @JsonProperty("batch_size") Integer batchSize,
    @JsonProperty("length_buckets") Integer lengthBuckets,
    @JsonProperty("micro_batches") Integer microBatches,
    @JsonProperty("learning_rate") Double learningRate,
    @JsonProperty("min_learning_rate") Double minLearningRate,
    @JsonProperty("warmup_steps") Integer warmupSteps,
    @JsonProperty("weight_decay") Double weightDecay,
    @JsonProperty("max_grad_norm") Double maxGradNorm,
    @JsonProperty("init_std") Double initStd,
    @JsonProperty("out_dtype") String outDtype,
    @JsonProperty("log_every") Integer logEvery) {

  /** One task family in the mix: how many training examples and how often it is drawn. */
  public record TaskMix(
      @JsonProperty("task") String task,
      @JsonProperty("n") Integer n,
      @JsonProperty("weight") Double weight) {
    public TaskMix {
      n = n == null ? 2000 : n;
      weight = weight == null ? 1.0 : weight;
    }
  }

  private static final YAMLMapper YAML =
      YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  public TrainRecipe {
    seed = seed == null ? 1L : seed;
    steps = steps == null ? 1000 : steps;
    batchSize = batchSize == null ? 32 : batchSize;
    lengthBuckets = lengthBuckets == null ? 1 : lengthBuckets;
    microBatches = microBatches == null ? 1 : microBatches;
    learningRate = learningRate == null ? 1e-3 : learningRate;
    minLearningRate = minLearningRate == null ? learningRate * 0.1 : minLearningRate;
    warmupSteps = warmupSteps == null ? Math.min(100, steps / 10) : warmupSteps;
    weightDecay = weightDecay == null ? 0.1 : weightDecay;
    maxGradNorm = maxGradNorm == null ? 1.0 : maxGradNorm;
    initStd = initStd == null ? 0.02 : initStd;
    outDtype = outDtype == null ? "F32" : outDtype;
    logEvery = logEvery == null ? 50 : logEvery;
    data = data == null ? List.of() : List.copyOf(data);
  }

  public static TrainRecipe read(Path file) throws IOException {
    TrainRecipe r;
    try {
      r = YAML.readValue(Files.readAllBytes(file), TrainRecipe.class);
    } catch (UnrecognizedPropertyException e) {
      throw new CheckpointException(
          file
              + ": unknown key '"
              + e.getPropertyName()
              + "' (known: "
              + e.getKnownPropertyIds()
              + ")");
    } catch (JsonProcessingException e) {
      throw new CheckpointException(
          file
              + ":"
              + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
              + ": "
              + e.getOriginalMessage());
    }
    if (r == null) {
      throw new CheckpointException(file + ": is empty");
    }
    r.validate(file);
    return r;
  }

  private void validate(Path file) throws CheckpointException {
    if ((base == null) == (init == null)) {
      throw new CheckpointException(
          file
              + ": give exactly one of 'base' (fine-tune a checkpoint) or 'init' (train from scratch)");
    }
    if (init != null && tokenizer == null) {
      throw new CheckpointException(file + ": 'init' needs a 'tokenizer' (a tokenizer.json path)");
    }
    if (data.isEmpty()) {
      throw new CheckpointException(
          file + ": 'data' lists no task (e.g. data: [{task: arithmetic, n: 4000}])");
    }
    for (TaskMix m : data) {
      if (m.task() == null || !TaskFamilies.names().contains(m.task())) {
        throw new CheckpointException(
            file + ": data task '" + m.task() + "' is not one of " + TaskFamilies.names());
      }
      if (m.n() < 1 || !(m.weight() > 0)) {
        throw new CheckpointException(
            file + ": data task '" + m.task() + "' needs n >= 1 and weight > 0");
      }
    }
    if (steps < 1
        || batchSize < 1
        || !(learningRate > 0)
        || warmupSteps < 0
        || warmupSteps > steps) {
      throw new CheckpointException(
          file
              + ": need steps >= 1, batch_size >= 1, learning_rate > 0 and 0 <= warmup_steps <= steps");
    }
    if (logEvery < 1) {
      throw new CheckpointException(
          file + ": log_every is " + logEvery + "; need 1 or more (steps between log lines)");
    }
    if (lengthBuckets < 1) {
      throw new CheckpointException(
          file
              + ": length_buckets is "
              + lengthBuckets
              + "; need 1 (batches as drawn) or more (batches of similar lengths)");
    }
    if (microBatches < 1 || microBatches > batchSize) {
      throw new CheckpointException(
          file
              + ": micro_batches is "
              + microBatches
              + "; need 1 (the batch in one pass) to batch_size ("
              + batchSize
              + ")");
    }
  }
}
