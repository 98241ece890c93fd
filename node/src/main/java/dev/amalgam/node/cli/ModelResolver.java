package dev.amalgam.node.cli;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.node.home.NodeHome;
import dev.amalgam.node.home.NodeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the model references of a recipe into open checkpoints: a local path (as given, or relative
 * to the recipe's directory), or the id of an expert hosted by the node home.
 */
final class ModelResolver {
  private final Path recipeDir;
  private final Path home;

  ModelResolver(Path recipeDir, Path home) {
    this.recipeDir = recipeDir;
    this.home = home;
  }

  /** Opens every reference; on failure closes what was opened. */
  Map<String, Checkpoint> openAll(List<String> references) throws IOException {
    Map<String, Checkpoint> opened = new LinkedHashMap<>();
    try {
      for (String ref : references) {
        if (!opened.containsKey(ref)) {
          opened.put(ref, Checkpoint.open(locate(ref)));
        }
      }
      return opened;
    } catch (IOException | RuntimeException e) {
      opened.values().forEach(Checkpoint::close);
      throw e;
    }
  }

  Path locate(String ref) throws IOException {
    Path asGiven = Path.of(ref);
    if (Files.exists(asGiven)) {
      return asGiven;
    }
    Path besideRecipe = recipeDir.resolve(ref);
    if (Files.exists(besideRecipe)) {
      return besideRecipe;
    }
    if (looksLikeExpertId(ref)) {
      Path hosted = hostedPath(ref);
      if (hosted != null) {
        return hosted;
      }
      throw new CheckpointException(
          "model '"
              + ref
              + "' is an expert id that this node does not host ("
              + home
              + "); add it with 'amalgam expert add' or fetch it with 'amalgam fetch'");
    }
    throw new CheckpointException(
        "model '"
            + ref
            + "' is neither a local checkpoint (looked in "
            + asGiven.toAbsolutePath().getParent()
            + " and "
            + recipeDir
            + ") nor an expert id");
  }

  static boolean looksLikeExpertId(String ref) {
    return ref.matches("bagaaiera[a-z2-7]{50,}");
  }

  private Path hostedPath(String id) throws IOException {
    if (!Files.exists(home.resolve(NodeHome.STATE))) {
      return null;
    }
    try (NodeStore store = NodeStore.open(home.resolve(NodeHome.STATE))) {
      return store.hostedExperts().stream()
          .filter(e -> e.expertId().equals(id))
          .map(NodeStore.HostedExpert::path)
          .findFirst()
          .orElse(null);
    } catch (SQLException e) {
      throw new IOException(home + ": cannot read the node database: " + e.getMessage(), e);
    }
  }
}
