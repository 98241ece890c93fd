package dev.amalgam.bench;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.TensorInfo;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Fingerprinting throughput on a checkpoint of at least 2 GB held in the page cache, against {@code
 * sha256sum} of the same bytes and a plain streaming read. Usage: FingerprintBench [DIR] [GB].
 */
public final class FingerprintBench {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "bench/out/fingerprint-2g");
    double gb = args.length > 1 ? Double.parseDouble(args[1]) : 2.0;
    if (!Files.exists(dir.resolve("model.safetensors"))) {
      System.out.println("writing a " + gb + " GB checkpoint to " + dir + " ...");
      makeCheckpoint(dir, (long) (gb * 1e9));
    }
    Path file = dir.resolve("model.safetensors");
    long bytes = Files.size(file);
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf("checkpoint %s: %.2f GB, %d cores%n", file, bytes / 1e9, cores);

    streamingRead(file); // warm the page cache
    BenchTable table = new BenchTable("Fingerprint throughput (page cache, best of 3)");
    table.add("plain streaming read (FileChannel, 8 MiB)", best(() -> streamingRead(file)), bytes);
    table.add(
        "sha256sum (coreutils, 1 process)", best(() -> run("sha256sum", file.toString())), bytes);
    table.add(
        "openssl dgst -sha256 (SHA-NI, 1 process)",
        best(() -> run("openssl", "dgst", "-sha256", file.toString())),
        bytes);
    for (int threads : new int[] {1, cores}) {
      Fingerprinter fp = new Fingerprinter(threads);
      table.add(
          "amalgam fingerprint, " + threads + " thread(s)",
          best(
              () -> {
                try (Checkpoint ckpt = Checkpoint.open(dir)) {
                  fp.manifest(ckpt).id();
                }
              }),
          bytes);
    }
    table.print("sha256sum (coreutils, 1 process)");
    System.out.println("target: amalgam fingerprint >= 1 GB/s on 2 cores");
  }

  interface Task {
    void run() throws Exception;
  }

  private static double best(Task task) throws Exception {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      task.run();
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return best;
  }

  private static void streamingRead(Path file) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(8 << 20);
    long sum = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (ch.read(buf) >= 0) {
        buf.flip();
        sum += buf.remaining();
        buf.clear();
      }
    }
    if (sum == 0) {
      throw new IllegalStateException("empty file");
    }
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed");
    }
  }

  /** Llama-like tensor list of BF16 matrices adding up to about {@code target} bytes. */
  private static void makeCheckpoint(Path dir, long target) throws IOException {
    List<TensorInfo> plan = new ArrayList<>();
    int hidden = 2048;
    long total = 0;
    for (int layer = 0; total < target; layer++) {
      for (String name :
          new String[] {
            "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"
          }) {
        TensorInfo t =
            TensorInfo.of(
                "model.layers." + layer + "." + name + ".weight", DType.BF16, hidden, hidden * 2L);
        plan.add(t);
        total += t.byteLength();
      }
    }
    SplittableRandom rnd = new SplittableRandom(1);
    try (CheckpointWriter w = CheckpointWriter.create(dir, plan, Long.MAX_VALUE)) {
      for (TensorInfo t : plan) {
        byte[] data = new byte[(int) t.byteLength()];
        for (int i = 0; i < data.length; i += 8) {
          long v = rnd.nextLong();
          for (int j = 0; j < 8; j++) {
            data[i + j] = (byte) (v >>> (8 * j));
          }
        }
        w.write(t.name(), MemorySegment.ofArray(data));
      }
      w.writeFile("config.json", "{\"model_type\":\"bench\"}".getBytes());
      w.commit(true);
    }
  }
}
