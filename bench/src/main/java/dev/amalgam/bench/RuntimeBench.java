package dev.amalgam.bench;

import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.TensorInfo;
import dev.amalgam.merge.runtime.CausalLmTrainer;
import dev.amalgam.merge.runtime.DecoderCheckpoints;
import dev.amalgam.merge.runtime.DecoderConfig;
import dev.amalgam.merge.runtime.DecoderModel;
import dev.amalgam.merge.runtime.TeacherForcedScorer;
import dev.amalgam.merge.runtime.TrainingConfig;
import dev.amalgam.merge.runtime.TrainingExample;
import dev.amalgam.merge.runtime.WeightInitializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Runtime throughput on 2 cores: teacher-forced scoring and training steps (tokens/s) for the zoo's
 * family-A base and family-B expert (when run from the repository root) and a larger zoo-style
 * decoder, and loading plus scoring a 512-token text with a TinyLlama-1.1B-shaped checkpoint of
 * random BF16 weights read from disk. Usage: RuntimeBench [DIR] [--train-large]
 */
public final class RuntimeBench {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "bench/out/runtime");
    boolean trainLarge = List.of(args).contains("--train-large");
    System.out.println("threads: " + Runtime.getRuntime().availableProcessors() + " cores");
    List<String[]> rows = new ArrayList<>();

    for (String name : List.of("base", "family-b")) {
      Path zooModel = Path.of("zoo/models", name);
      if (Files.exists(zooModel.resolve("config.json"))) {
        try (DecoderModel model = DecoderCheckpoints.load(zooModel)) {
          String label =
              String.format(Locale.ROOT, "zoo %s (%,d params)", name, model.parameterCount());
          rows.add(score(label, model, 16, 128, 5));
          rows.add(train(label, model, 16, 128, 5));
        }
      }
    }

    DecoderConfig zoo = DecoderConfig.llama(256, 688, 4, 4, 2, 512, 10000, true);
    try (DecoderModel model = DecoderModel.load(zoo, WeightInitializer.initialize(zoo, 1, 0.02))) {
      rows.add(score("zoo-style, larger (4 layers, hidden 256, 3.4M)", model, 16, 128, 5));
      rows.add(train("zoo-style, larger (4 layers, hidden 256, 3.4M)", model, 16, 128, 5));
    }

    DecoderConfig tiny = DecoderConfig.llama(2048, 5632, 22, 32, 4, 32000, 10000, false);
    Path ckpt = dir.resolve("tinyllama-1.1b-random");
    if (!Files.exists(ckpt.resolve("config.json"))) {
      System.out.println("writing a TinyLlama-1.1B-shaped BF16 checkpoint to " + ckpt + " ...");
      writeRandom(tiny, ckpt);
    }
    long t0 = System.nanoTime();
    try (DecoderModel model = DecoderCheckpoints.load(ckpt)) {
      double load = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "TinyLlama-shaped checkpoint loaded in %.1f s (%,d params)%n",
          load,
          model.parameterCount());
      rows.add(score("TinyLlama-1.1B-shaped, one 512-token text", model, 1, 512, 1));
      if (trainLarge) {
        rows.add(train("TinyLlama-1.1B-shaped, batch 1 x 128", model, 1, 128, 1));
      }
    }
    System.out.println();
    System.out.println("Runtime throughput (DJL 0.36.0, PyTorch 2.7.1 CPU)");
    System.out.printf(
        Locale.ROOT, "%-48s %-8s %12s %10s%n", "model", "work", "tokens/s", "seconds");
    rows.forEach(r -> System.out.printf(Locale.ROOT, "%-48s %-8s %12s %10s%n", (Object[]) r));
  }

  private static List<int[]> batch(int size, int length, int vocab, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<int[]> out = new ArrayList<>();
    for (int b = 0; b < size; b++) {
      int[] ids = new int[length];
      for (int i = 0; i < length; i++) {
        ids[i] = rnd.nextInt(vocab);
      }
      out.add(ids);
    }
    return out;
  }

  private static String[] score(String name, DecoderModel model, int size, int length, int reps) {
    TeacherForcedScorer scorer = new TeacherForcedScorer(model);
    List<int[]> seqs = batch(size, length, model.config().vocab(), 1);
    scorer.score(seqs, 10); // warm-up
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      scorer.score(seqs, 10);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    return new String[] {name, "score", fmt(reps * (double) size * length / s), fmt(s / reps)};
  }

  private static String[] train(String name, DecoderModel model, int size, int length, int steps) {
    List<TrainingExample> examples = new ArrayList<>();
    for (int[] ids : batch(size, length, model.config().vocab(), 2)) {
      examples.add(
          TrainingExample.promptResponse(
              java.util.Arrays.copyOf(ids, length / 2),
              java.util.Arrays.copyOfRange(ids, length / 2, length)));
    }
    try (CausalLmTrainer trainer =
        new CausalLmTrainer(model, TrainingConfig.defaults(1e-3, 0, steps + 1))) {
      trainer.step(examples); // warm-up
      long t0 = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        trainer.step(examples);
      }
      double s = (System.nanoTime() - t0) / 1e9;
      return new String[] {name, "train", fmt(steps * (double) size * length / s), fmt(s / steps)};
    }
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** Random BF16 weights with the config's tensor names and shapes, written as an HF checkpoint. */
  private static void writeRandom(DecoderConfig config, Path dir) throws Exception {
    List<TensorInfo> plan = new ArrayList<>();
    int h = config.hidden();
    int kv = config.kvHeads() * config.headDim();
    plan.add(TensorInfo.of("model.embed_tokens.weight", DType.BF16, config.vocab(), h));
    for (int l = 0; l < config.layers(); l++) {
      String p = "model.layers." + l + ".";
      plan.add(TensorInfo.of(p + "input_layernorm.weight", DType.BF16, h));
      plan.add(TensorInfo.of(p + "post_attention_layernorm.weight", DType.BF16, h));
      plan.add(TensorInfo.of(p + "self_attn.q_proj.weight", DType.BF16, h, h));
      plan.add(TensorInfo.of(p + "self_attn.k_proj.weight", DType.BF16, kv, h));
      plan.add(TensorInfo.of(p + "self_attn.v_proj.weight", DType.BF16, kv, h));
      plan.add(TensorInfo.of(p + "self_attn.o_proj.weight", DType.BF16, h, h));
      plan.add(TensorInfo.of(p + "mlp.gate_proj.weight", DType.BF16, config.intermediate(), h));
      plan.add(TensorInfo.of(p + "mlp.up_proj.weight", DType.BF16, config.intermediate(), h));
      plan.add(TensorInfo.of(p + "mlp.down_proj.weight", DType.BF16, h, config.intermediate()));
    }
    plan.add(TensorInfo.of("model.norm.weight", DType.BF16, h));
    plan.add(TensorInfo.of("lm_head.weight", DType.BF16, config.vocab(), h));
    SplittableRandom rnd = new SplittableRandom(3);
    try (CheckpointWriter w = CheckpointWriter.create(dir, plan, 2_000_000_000L)) {
      for (TensorInfo t : plan) {
        float[] v = new float[(int) t.elementCount()];
        boolean norm = t.name().endsWith("norm.weight");
        for (int i = 0; i < v.length; i++) {
          v[i] = norm ? 1f : (float) (rnd.nextDouble() - 0.5) * 0.04f;
        }
        w.writeFloats(t.name(), v);
      }
      w.writeFile("config.json", config.toJson().toPrettyString().getBytes());
      w.commit(true);
    }
  }
}
