package dev.amalgam.node.demo;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The zoo checkpoints the demo's nodes host ({@code zoo/} of the repository). */
public record Zoo(Path dir) {
  /** Family A (llama, 4 layers, tokenizer family-a): the base and its two fine-tuned experts. */
  public static final String BASE = "models/base";

  public static final String ARITH = "models/arith";
  public static final String RELATIONAL = "models/relational";

  /** The family-B composite expert (another size and tokenizer): node 3's model. */
  public static final String FAMILY_B = "models/family-b";

  public Path base() {
    return dir.resolve(BASE);
  }

  public Path arith() {
    return dir.resolve(ARITH);
  }

  public Path relational() {
    return dir.resolve(RELATIONAL);
  }

  public Path familyB() {
    return dir.resolve(FAMILY_B);
  }

  /**
   * {@code explicit} when given, else the {@code zoo/} of the repository this code was built in,
   * else {@code ./zoo}; checks that every model is there.
   */
  public static Zoo locate(Path explicit) throws DemoException {
    Path dir = explicit != null ? explicit : defaultDir();
    Zoo zoo = new Zoo(dir.toAbsolutePath().normalize());
    for (Path model : List.of(zoo.base(), zoo.arith(), zoo.relational(), zoo.familyB())) {
      for (String file : List.of("config.json", "model.safetensors", "tokenizer.json")) {
        if (!Files.isRegularFile(model.resolve(file))) {
          throw new DemoException(
              model.resolve(file)
                  + " is missing: the demo needs the zoo models (see zoo/README.md; --zoo DIR"
                  + " names another zoo)");
        }
      }
    }
    return zoo;
  }

  private static Path defaultDir() {
    try {
      // node/target/amalgam.jar (the launcher) or node/target/classes (tests): the repository is
      // two levels above target/.
      Path code =
          Path.of(Zoo.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .toAbsolutePath();
      Path repo = code.getParent().getParent().getParent();
      if (repo != null && Files.isDirectory(repo.resolve("zoo/models"))) {
        return repo.resolve("zoo");
      }
    } catch (URISyntaxException | RuntimeException e) {
      // fall back to the working directory
    }
    return Path.of("zoo");
  }
}
