package dev.amalgam.bench;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.TensorInfo;
import dev.amalgam.merge.engine.MergeExecutor;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Merging three BF16 checkpoints (a base and two fine-tunes) with linear, task_arithmetic, ties and
 * dare_ties, against (a) streaming the same bytes (read every input, write one output) and (b) a
 * NumPy implementation of the same method on the same files. Each run is a separate process so its
 * peak anonymous memory (heap and native, not the mapped files) can be reported; the same method is
 * also run at half the model size to show that memory does not grow with the model. Each merge,
 * like the stream, runs three times: the best time counts, and the largest peak of each size (the
 * JIT's native arenas vary from run to run, so both sizes get the same number of runs).
 *
 * <p>Usage: MergeBench [DIR] [GB_PER_MODEL] [THREADS] [METHODS]
 */
public final class MergeBench {
  static final String[] METHODS = {"linear", "task_arithmetic", "ties", "dare_ties"};

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--once")) {
      once(args[1], Path.of(args[2]), Path.of(args[3]), Integer.parseInt(args[4]));
      return;
    }
    Path dir = Path.of(args.length > 0 ? args[0] : "bench/out/merge");
    double gb = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
    int threads =
        args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
    Path full = prepare(dir.resolve("full"), gb);
    Path half = prepare(dir.resolve("half"), gb / 2);
    long inputBytes = 3 * Files.size(full.resolve("base/model.safetensors"));
    System.out.printf(
        Locale.ROOT,
        "models: 3 x %.2f GB BF16, %d threads, %d cores%n",
        inputBytes / 3 / 1e9,
        threads,
        Runtime.getRuntime().availableProcessors());

    String[] methods = args.length > 3 ? args[3].split(",") : METHODS;
    discardOutputsOfEarlierRuns(dir);
    Path streamOut = dir.resolve("stream.out");
    Measured stream = best(() -> streamSameBytes(full, streamOut), streamOut);
    List<String[]> rows = new ArrayList<>();
    List<String[]> cpuRows = new ArrayList<>();
    for (String method : methods) {
      Measured amalgam = child(method, full, dir.resolve("out-" + method), threads, 3);
      Measured amalgamHalf = child(method, half, dir.resolve("out-half-" + method), threads, 3);
      Measured numpyRun = numpy(method, full, dir.resolve("numpy-" + method + ".safetensors"));
      double numpy = numpyRun.seconds;
      cpuRows.add(
          new String[] {
            method,
            fmt(amalgam.cpuSeconds),
            fmt(stream.cpuSeconds),
            fmt(amalgam.cpuSeconds / stream.cpuSeconds) + "x",
            fmt(numpyRun.cpuSeconds),
            fmt(numpyRun.cpuSeconds / amalgam.cpuSeconds) + "x"
          });
      rows.add(
          new String[] {
            method,
            fmt(amalgam.seconds),
            fmt(stream.seconds),
            fmt(amalgam.seconds / stream.seconds) + "x",
            fmt(numpy),
            fmt(numpy / amalgam.seconds) + "x",
            mb(amalgamHalf.peakAnonBytes),
            mb(amalgam.peakAnonBytes)
          });
    }
    System.out.println();
    System.out.println(
        "Merge of 3 checkpoints (page cache), amalgam vs streaming the same bytes vs NumPy");
    String fmt = "%-16s %10s %10s %12s %10s %12s %14s %14s%n";
    System.out.printf(
        Locale.ROOT,
        fmt,
        "method",
        "amalgam s",
        "stream s",
        "vs stream",
        "numpy s",
        "vs numpy",
        "anon MB @half",
        "anon MB @full");
    for (String[] r : rows) {
      System.out.printf(Locale.ROOT, fmt, (Object[]) r);
    }
    System.out.println();
    System.out.println("The same runs in process CPU seconds (user + system, all threads)");
    String cpuFmt = "%-16s %10s %10s %12s %10s %12s%n";
    System.out.printf(
        Locale.ROOT, cpuFmt, "method", "amalgam", "stream", "vs stream", "numpy", "vs numpy");
    for (String[] r : cpuRows) {
      System.out.printf(Locale.ROOT, cpuFmt, (Object[]) r);
    }
    System.out.println(
        "targets: linear/task_arithmetic <= 1.5x stream, ties/dare <= 3x stream, >= 5x faster than numpy, memory flat");
  }

  private record Measured(double seconds, double cpuSeconds, long peakAnonBytes) {}

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.0f", bytes / 1e6);
  }

  /**
   * Runs one merge in child JVMs; returns the best time of {@code runs} runs and the largest peak.
   */
  private static Measured child(String method, Path models, Path out, int threads, int runs)
      throws Exception {
    Measured best = null;
    for (int i = 0; i < runs; i++) {
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "--enable-native-access=ALL-UNNAMED",
                  "-Xmx1g",
                  "-cp",
                  System.getProperty("java.class.path"),
                  MergeBench.class.getName(),
                  "--once",
                  method,
                  models.toString(),
                  out.toString(),
                  Integer.toString(threads))
              .redirectErrorStream(true)
              .start();
      String output = new String(p.getInputStream().readAllBytes()).strip();
      if (p.waitFor() != 0) {
        throw new IllegalStateException(method + " failed: " + output);
      }
      discard(out);
      String[] parts = output.lines().reduce((a, b) -> b).orElseThrow().split(" ");
      Measured m =
          new Measured(
              Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Long.parseLong(parts[2]));
      best =
          best == null
              ? m
              : new Measured(
                  Math.min(best.seconds, m.seconds),
                  Math.min(best.cpuSeconds, m.cpuSeconds),
                  Math.max(best.peakAnonBytes, m.peakAnonBytes));
    }
    return best;
  }

  /** Child side: merge once, print "seconds cpuSeconds peakAnonBytes". */
  private static void once(String method, Path models, Path out, int threads) throws Exception {
    AnonMemorySampler sampler = AnonMemorySampler.start();
    Path recipeFile =
        Files.writeString(Files.createTempFile("bench", ".yml"), recipe(method, models));
    Recipe recipe = RecipeParser.parse(recipeFile);
    Map<String, Checkpoint> inputs = new LinkedHashMap<>();
    for (String ref : recipe.referencedModels()) {
      inputs.put(ref, Checkpoint.open(Path.of(ref)));
    }
    long t0 = System.nanoTime();
    long cpu0 = processCpuNanos();
    MergeExecutor.run(
        recipe,
        inputs,
        out,
        new MergeExecutor.Options(
            threads,
            CheckpointWriter.DEFAULT_SHARD_BYTES,
            true,
            dev.amalgam.merge.engine.MergeProgress.NONE,
            Map.of(),
            false));
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
    inputs.values().forEach(Checkpoint::close);
    System.out.println(seconds + " " + cpuSeconds + " " + sampler.stop());
  }

  static String recipe(String method, Path models) {
    String base = models.resolve("base").toAbsolutePath().toString();
    String a = models.resolve("a").toAbsolutePath().toString();
    String b = models.resolve("b").toAbsolutePath().toString();
    if (method.equals("linear")) {
      return "merge_method: linear\nmodels:\n  - model: %s\n    parameters: {weight: 1.0}\n  - model: %s\n    parameters: {weight: 1.0}\n  - model: %s\n    parameters: {weight: 1.0}\n"
          .formatted(base, a, b);
    }
    String params =
        method.equals("task_arithmetic") ? "{weight: 0.5}" : "{weight: 0.5, density: 0.5}";
    return "merge_method: %s\nbase_model: %s\nmodels:\n  - model: %s\n    parameters: %s\n  - model: %s\n    parameters: %s\nseed: 1\n"
        .formatted(method, base, a, params, b, params);
  }

  /** One run of the NumPy baseline (it is the slow side; one run is enough to compare). */
  private static Measured numpy(String method, Path models, Path out) throws Exception {
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(
                "python3",
                "bench/merge/numpy_merge.py",
                method,
                out.toString(),
                models.resolve("base/model.safetensors").toString(),
                models.resolve("a/model.safetensors").toString(),
                models.resolve("b/model.safetensors").toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("numpy " + method + " failed: " + output);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    discard(out);
    String[] last = output.strip().lines().reduce((a, b) -> b).orElse("").split(" ");
    double cpu = last.length == 2 && last[0].equals("cpu") ? Double.parseDouble(last[1]) : -1;
    return new Measured(seconds, cpu, 0);
  }

  /**
   * Deletes an output once it is measured. Outputs left in the page cache (1 GB each, a dozen per
   * run) made later merges reclaim memory inside their timed region, which the stream baseline,
   * measured first, never paid; replacing an old output also timed its deletion.
   */
  private static void discard(Path output) throws IOException {
    if (!Files.exists(output)) {
      return;
    }
    try (var paths = Files.walk(output)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void discardOutputsOfEarlierRuns(Path dir) throws IOException {
    try (var entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        String name = p.getFileName().toString();
        if (name.startsWith("out-") || name.startsWith("numpy-") || name.equals("stream.out")) {
          discard(p);
        }
      }
    }
  }

  interface Task {
    void run() throws Exception;
  }

  /** Best wall and best CPU time (this process, all threads) of three runs. */
  private static Measured best(Task t, Path output) throws Exception {
    double best = Double.MAX_VALUE;
    double bestCpu = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      long cpu0 = processCpuNanos();
      t.run();
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      bestCpu = Math.min(bestCpu, (processCpuNanos() - cpu0) / 1e9);
      discard(output);
    }
    return new Measured(best, bestCpu, 0);
  }

  /** CPU time (user + system) of this process, all threads, in nanoseconds. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Reads all three inputs and writes one output of the same size, through 8 MiB buffers. */
  private static void streamSameBytes(Path models, Path out) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(8 << 20);
    try (FileChannel w =
        FileChannel.open(
            out,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      for (String m : new String[] {"base", "a", "b"}) {
        try (FileChannel r = FileChannel.open(models.resolve(m).resolve("model.safetensors"))) {
          while (r.read(buf) >= 0) {
            buf.flip();
            if (m.equals("base")) {
              while (buf.hasRemaining()) {
                w.write(buf);
              }
            }
            buf.clear();
          }
        }
      }
      w.force(true);
    }
  }

  /** A base and two fine-tunes (base + small noise) of a Llama-shaped stack of BF16 matrices. */
  static Path prepare(Path dir, double gb) throws IOException {
    if (Files.exists(dir.resolve("b/model.safetensors"))) {
      return dir;
    }
    List<TensorInfo> plan = new ArrayList<>();
    int hidden = 2048;
    long total = 0;
    for (int layer = 0; total < gb * 1e9; layer++) {
      for (String name :
          new String[] {
            "self_attn.q_proj",
            "self_attn.k_proj",
            "self_attn.v_proj",
            "self_attn.o_proj",
            "mlp.gate_proj",
            "mlp.up_proj",
            "mlp.down_proj"
          }) {
        long rows = name.startsWith("mlp") ? hidden * 2L : hidden;
        TensorInfo t =
            TensorInfo.of(
                "model.layers." + layer + "." + name + ".weight", DType.BF16, rows, hidden);
        plan.add(t);
        total += t.byteLength();
      }
    }
    System.out.printf(Locale.ROOT, "writing 3 x %.2f GB to %s ...%n", total / 1e9, dir);
    String config =
        "{\"model_type\":\"llama\",\"hidden_size\":%d,\"intermediate_size\":%d,\"num_hidden_layers\":%d,\"num_attention_heads\":16,\"vocab_size\":32000}"
            .formatted(hidden, hidden * 2, plan.size() / 7);
    long seed = 1;
    for (String m : new String[] {"base", "a", "b"}) {
      SplittableRandom base = new SplittableRandom(42);
      SplittableRandom noise = new SplittableRandom(seed++);
      try (CheckpointWriter w = CheckpointWriter.create(dir.resolve(m), plan, Long.MAX_VALUE)) {
        for (TensorInfo t : plan) {
          float[] v = new float[(int) t.elementCount()];
          for (int i = 0; i < v.length; i++) {
            v[i] = (float) (base.nextDouble() - 0.5) * 0.04f;
            if (!m.equals("base")) {
              v[i] += (float) (noise.nextDouble() - 0.5) * 0.004f;
            }
          }
          w.writeFloats(t.name(), v);
        }
        w.writeFile("config.json", config.getBytes());
        w.commit(true);
      }
    }
    return dir;
  }

  /** Samples this process's anonymous resident memory (heap + native, not mapped files). */
  static final class AnonMemorySampler {
    private volatile boolean running = true;
    private volatile long peak;
    private final Thread thread;

    private AnonMemorySampler() {
      thread =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    while (running) {
                      peak = Math.max(peak, rssAnon());
                      try {
                        Thread.sleep(20);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
    }

    static AnonMemorySampler start() {
      return new AnonMemorySampler();
    }

    long stop() throws InterruptedException {
      running = false;
      thread.join();
      return Math.max(peak, rssAnon());
    }

    private static long rssAnon() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("RssAnon:")) {
            return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
          }
        }
      } catch (IOException ignored) {
        // not on Linux: report 0
      }
      return 0;
    }
  }
}
