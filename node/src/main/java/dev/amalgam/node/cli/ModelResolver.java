package dev.amalgam.node.cli;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.node.exchange.ExpertFetch;
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
 * to the recipe's directory), the id of an expert hosted by the node home, or the id of an expert
 * that is fetched from the federation into the home's cache ({@code DATA_DIR/experts/ID}) first.
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
      if (Files.exists(home.resolve(NodeHome.CONFIG))) {
        return fetched(ref);
      }
      throw new CheckpointException(
          "model '"
              + ref
              + "' is an expert id and "
              + home
              + " is no node home to fetch it with (run 'amalgam init', or fetch it with"
              + " 'amalgam fetch' and name the directory)");
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

  /** The expert from the home's cache, fetched from the federation when not there yet. */
  private Path fetched(String id) throws IOException {
    Path cached = NodeHome.open(home).dataDir().resolve("experts").resolve(id);
    if (Files.isDirectory(cached)) {
      return cached;
    }
    ProgressBar bar =
        new ProgressBar(
            new java.io.PrintWriter(System.err, true),
            "fetch " + id.substring(id.length() - 8),
            "chunks",
            ProgressBar.onTerminal());
    try {
      FetchRunner.run(
          home, new ExpertFetch.Request(id, cached, null), new FetchCommand.Progress(bar));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("model '" + id + "': fetch interrupted", e);
    } catch (Exception e) {
      throw new IOException("model '" + id + "': " + e.getMessage(), e);
    } finally {
      bar.finish();
    }
    return cached;
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
