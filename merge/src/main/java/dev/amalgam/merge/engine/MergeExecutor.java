package dev.amalgam.merge.engine;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.DTypeCodec;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import dev.amalgam.merge.method.BlockwiseKernel;
import dev.amalgam.merge.method.MergeException;
import dev.amalgam.merge.method.MergeInput;
import dev.amalgam.merge.method.MergeMethod;
import dev.amalgam.merge.method.ResolvedParameters;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.TokenizerSettings;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a recipe tensor by tensor. Each output tensor is one task on a fixed pool of {@code threads}
 * workers; a task reads its inputs as fp32, merges and writes straight to the tensor's preassigned
 * place in the output shards. Elementwise methods ({@link
 * dev.amalgam.merge.method.MergeMethod#elementwise()}) are merged in blocks ({@link
 * BlockProducer}), so they hold only a few small arrays per worker; other methods hold at most
 * threads × (inputs + 2) fp32 copies of the largest tensor. Either way memory never grows with
 * model size, and since every tensor is a pure function of its inputs, parameters and the seed, the
 * bytes do not depend on the number of threads or the order tasks finish in.
 */
public final class MergeExecutor {
  /**
   * How to run.
   *
   * @param threads worker threads (at least 1)
   * @param shardBytes maximum data bytes per output shard
   * @param replaceExisting whether an existing output directory may be replaced
   * @param progress progress callbacks
   * @param inputIds known manifest ids of inputs, recorded in the provenance (may be empty)
   * @param computeOutputId whether to fingerprint the output and record its id
   */
  public record Options(
      int threads,
      long shardBytes,
      boolean replaceExisting,
      MergeProgress progress,
      Map<String, String> inputIds,
      boolean computeOutputId) {
    public Options {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, got " + threads);
      }
      inputIds = Map.copyOf(inputIds);
    }

    public static Options defaults(int threads) {
      return new Options(
          threads, CheckpointWriter.DEFAULT_SHARD_BYTES, false, MergeProgress.NONE, Map.of(), true);
    }
  }

  private static final ThreadLocal<MemorySegment[]> OUTPUT_BUFFER =
      ThreadLocal.withInitial(() -> new MemorySegment[1]);

  private MergeExecutor() {}

  /**
   * Merges and commits the output directory.
   *
   * @param inputs every model reference of the recipe mapped to its opened checkpoint
   */
  public static MergeResult run(
      Recipe recipe, Map<String, Checkpoint> inputs, Path output, Options options)
      throws IOException {
    MergePlan plan = MergePlan.build(recipe, inputs);
    DType compute = recipe.dtype() == null ? null : DType.parse(recipe.dtype());
    options.progress().started(plan.tensors().size(), plan.outputBytes());
    try (CheckpointWriter writer =
        CheckpointWriter.create(output, plan.outputInfos(), options.shardBytes())) {
      writeTensors(recipe, inputs, plan, compute, writer, options);
      writeSideFiles(recipe, inputs, plan, writer);
      String outputId = null;
      if (options.computeOutputId()) {
        outputId = outputId(writer.directory(), options.threads());
      }
      writer.writeFile(
          Provenance.FILE_NAME,
          Provenance.json(recipe, plan, options.inputIds(), outputId, toolVersion()));
      Path done = writer.commit(options.replaceExisting());
      return new MergeResult(
          done, outputId, plan.tensors().size(), plan.outputBytes(), plan.warnings());
    }
  }

  private static void writeTensors(
      Recipe recipe,
      Map<String, Checkpoint> inputs,
      MergePlan plan,
      DType compute,
      CheckpointWriter writer,
      Options options)
      throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(options.threads());
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (PlannedTensor t : plan.tensors()) {
        futures.add(
            pool.submit(
                () -> {
                  produce(recipe, inputs, t, compute, plan.vocabulary().orElse(null), writer);
                  options.progress().tensorDone(t.name(), t.output().byteLength());
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("merge interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(cause);
    } finally {
      pool.shutdownNow();
    }
  }

  private static void produce(
      Recipe recipe,
      Map<String, Checkpoint> inputs,
      PlannedTensor t,
      DType compute,
      VocabularyPlan vocabulary,
      CheckpointWriter writer)
      throws IOException {
    if (!t.merged()) {
      TensorSource from = t.base() != null ? t.base() : t.models().get(0);
      writer.write(t.name(), inputs.get(from.model()).bytes(from.tensor()));
      return;
    }
    ResolvedParameters params =
        recipe
            .resolver(t.slice())
            .resolveFor(
                recipe.method(), t.inputIndices(), t.name(), t.layerIndex(), t.layersInSlice());
    MergeMethod method = recipe.method();
    boolean hasBase = t.base() != null;
    if (!t.reindexed() && method.elementwise()) {
      BlockProducer.produce(
          t,
          inputs,
          BlockwiseKernel.of(
              method.elementwiseKernel(t.name(), params, t.models().size(), hasBase)),
          compute,
          writer);
      return;
    }
    BlockwiseKernel blockwise =
        t.reindexed()
            ? null
            : method.blockwiseKernel(
                t.name(), t.output().shape(), params, t.models().size(), hasBase, recipe.seed());
    if (blockwise != null) {
      BlockProducer.produce(t, inputs, blockwise, compute, writer);
      return;
    }
    float[] base;
    List<float[]> models = new ArrayList<>();
    if (t.reindexed()) {
      Map<String, float[]> raw = new LinkedHashMap<>();
      for (TensorSource s : allSources(t)) {
        raw.putIfAbsent(s.model(), load(inputs, s, compute));
      }
      int width = (int) t.output().dim(1);
      Map<String, float[]> aligned = vocabulary.align(raw, width);
      base = t.base() == null ? null : aligned.get(t.base().model());
      for (TensorSource s : t.models()) {
        models.add(aligned.get(s.model()));
      }
    } else {
      base = t.base() == null ? null : load(inputs, t.base(), compute);
      for (TensorSource s : t.models()) {
        models.add(load(inputs, s, compute));
      }
    }
    float[] out =
        recipe
            .method()
            .merge(
                new MergeInput(t.name(), t.output().shape(), base, models, params, recipe.seed()));
    if (out.length != t.output().elementCount()) {
      throw new IllegalStateException(
          t.name()
              + ": method gave "
              + out.length
              + " values, planned "
              + t.output().elementCount());
    }
    MemorySegment bytes = outputBuffer(t.output().byteLength());
    DTypeCodec.encode(t.output().dtype(), out, 0, out.length, bytes, 0);
    writer.write(t.name(), bytes);
  }

  /**
   * This worker's buffer for one encoded output tensor, reused across tensors so that no tensor
   * pays for allocating, zeroing and faulting in fresh native memory. It only grows, to the largest
   * tensor this worker wrote.
   */
  private static MemorySegment outputBuffer(long bytes) {
    MemorySegment[] holder = OUTPUT_BUFFER.get();
    if (holder[0] == null || holder[0].byteSize() < bytes) {
      holder[0] = null;
      holder[0] = Arena.ofAuto().allocate(bytes, 8);
    }
    return holder[0].asSlice(0, bytes);
  }

  private static List<TensorSource> allSources(PlannedTensor t) {
    List<TensorSource> all = new ArrayList<>();
    if (t.base() != null) {
      all.add(t.base());
    }
    all.addAll(t.models());
    return all;
  }

  private static float[] load(Map<String, Checkpoint> inputs, TensorSource s, DType compute) {
    float[] values = inputs.get(s.model()).readFloats(s.tensor());
    ComputeDtype.round(values, compute);
    return values;
  }

  private static void writeSideFiles(
      Recipe recipe, Map<String, Checkpoint> inputs, MergePlan plan, CheckpointWriter writer)
      throws IOException {
    Checkpoint reference = inputs.get(plan.referenceModel());
    if (plan.config().isPresent()) {
      writer.writeFile("config.json", plan.config().get().toJsonBytes());
    }
    TokenizerSettings tok = recipe.tokenizer();
    Checkpoint tokenizerFrom =
        tok == null || tok.isBase() || tok.isUnion()
            ? reference
            : inputs.getOrDefault(tok.model(), null);
    boolean unionTokenizer = tok != null && tok.isUnion() && plan.vocabulary().isPresent();
    if (tokenizerFrom == null) {
      throw new MergeException(
          recipe.sourceName()
              + ":"
              + tok.line()
              + ": no checkpoint was given for tokenizer source '"
              + tok.model()
              + "'");
    }
    boolean templateText =
        recipe.chatTemplate() != null
            && (recipe.chatTemplate().contains("{{") || recipe.chatTemplate().contains("{%"));
    for (Path file : reference.sideFiles()) {
      String name = file.getFileName().toString();
      if (!name.equals("config.json") && !Checkpoint.TOKENIZER_FILES.contains(name)) {
        writer.copyFile(file, name);
      }
    }
    for (Path file : tokenizerFrom.sideFiles()) {
      String name = file.getFileName().toString();
      if (unionTokenizer && name.equals("tokenizer.json")) {
        writer.writeFile(name, UnionTokenizer.json(file, plan.vocabulary().get().target()));
      } else if (Checkpoint.TOKENIZER_FILES.contains(name)
          && !(templateText && name.equals("chat_template.jinja"))) {
        writer.copyFile(file, name);
      }
    }
    if (templateText) {
      writer.writeFile(
          "chat_template.jinja", recipe.chatTemplate().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The expert id of a checkpoint directory. */
  static String outputId(Path directory, int threads) throws IOException {
    try (Checkpoint written = Checkpoint.open(directory)) {
      return new Fingerprinter(threads).fingerprint(written).expertId().toString();
    } catch (CheckpointException e) {
      throw new IOException("cannot fingerprint the output: " + e.getMessage(), e);
    }
  }

  static String toolVersion() {
    String v = MergeExecutor.class.getPackage().getImplementationVersion();
    return v != null ? v : "0.1.0-SNAPSHOT";
  }
}
