package dev.amalgam.node.cli;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.engine.MergePlan;
import dev.amalgam.merge.engine.PlannedTensor;
import dev.amalgam.merge.engine.TensorSource;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.node.exchange.ExpertFetch;
import dev.amalgam.node.exchange.TensorFilter;
import dev.amalgam.node.home.NodeHome;
import dev.amalgam.node.home.NodeStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns the model references of a recipe into open checkpoints: a local path (as given, or relative
 * to the recipe's directory), the id of an expert hosted by the node home, or the id of an expert
 * fetched from the federation into the home's cache ({@code DATA_DIR/experts/ID}).
 *
 * <p>A fetched expert comes in two sparse fetches: first everything but the tensor data (the layout
 * with its headers, and the side files), enough to plan the merge; then only the chunks of the
 * tensors the plan reads. An expert that is not complete stays in the cache's work directory and is
 * completed by a later merge or fetch that needs the rest (see {@link ExpertFetch}).
 */
final class ModelResolver {
  /** The opened inputs, and the expert ids known without fingerprinting (hosted and fetched). */
  record Opened(Map<String, Checkpoint> checkpoints, Map<String, String> expertIds)
      implements AutoCloseable {
    @Override
    public void close() {
      checkpoints.values().forEach(Checkpoint::close);
    }
  }

  /** An input fetched by id: where it is cached and what its fetches took. */
  private static final class Fetched {
    final String id;
    final Path cache;
    long chunks;
    long bytes;

    Fetched(String id, Path cache) {
      this.id = id;
      this.cache = cache;
    }
  }

  private final Path recipeDir;
  private final Path home;
  private final PrintWriter err;

  ModelResolver(Path recipeDir, Path home, PrintWriter err) {
    this.recipeDir = recipeDir;
    this.home = home;
    this.err = err;
  }

  ModelResolver(Path recipeDir, Path home) {
    this(recipeDir, home, new PrintWriter(System.err, true));
  }

  /** Opens every reference whole (fetching whole experts); on failure closes what was opened. */
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

  /** The complete checkpoint a reference names, fetching a whole expert when needed. */
  Path locate(String ref) throws IOException {
    Path local = localPath(ref);
    if (local != null) {
      return local;
    }
    Path hosted = hostedPath(ref);
    if (hosted != null) {
      return hosted;
    }
    Fetched f = new Fetched(ref, cacheOf(ref));
    if (Files.isDirectory(f.cache)) {
      return f.cache;
    }
    try (FetchRunner.Session session = new LazySession()) {
      return fetch(session, f, null);
    }
  }

  /** Opens every model of the recipe, fetching what the merge reads of experts named by id. */
  Opened open(Recipe recipe) throws Exception {
    Opened opened = new Opened(new LinkedHashMap<>(), new LinkedHashMap<>());
    Map<String, Fetched> fetched = new LinkedHashMap<>();
    try (FetchRunner.Session session = new LazySession()) {
      for (String ref : recipe.referencedModels()) {
        if (opened.checkpoints().containsKey(ref)) {
          continue;
        }
        Path local = localPath(ref);
        if (local != null) {
          opened.checkpoints().put(ref, Checkpoint.open(local));
          continue;
        }
        String id = ref;
        Path hosted = hostedPath(id);
        opened.expertIds().put(ref, id);
        if (hosted != null) {
          opened.checkpoints().put(ref, Checkpoint.open(hosted));
          continue;
        }
        Path cached = cacheOf(id);
        if (Files.isDirectory(cached)) {
          opened.checkpoints().put(ref, Checkpoint.open(cached));
          continue;
        }
        Fetched f = new Fetched(id, cached);
        fetched.put(ref, f);
        Path layout = fetch(session, f, TensorFilter.exactly(List.of()));
        opened.checkpoints().put(ref, Checkpoint.open(layout));
      }
      if (!fetched.isEmpty()) {
        Map<String, Set<String>> needed = tensorsRead(recipe, opened.checkpoints());
        for (Map.Entry<String, Fetched> e : fetched.entrySet()) {
          Fetched f = e.getValue();
          Set<String> names = needed.getOrDefault(e.getKey(), Set.of());
          opened.checkpoints().remove(e.getKey()).close();
          Path dir = fetch(session, f, TensorFilter.exactly(names));
          Checkpoint c = Checkpoint.open(dir);
          opened.checkpoints().put(e.getKey(), c);
          err.println(
              "fetched expert "
                  + f.id
                  + " for the merge: "
                  + names.size()
                  + " of "
                  + c.tensorNames().size()
                  + " tensors, "
                  + f.chunks
                  + " chunks, "
                  + f.bytes
                  + " bytes"
                  + (dir.equals(f.cache) ? "" : " (the rest is fetched when needed)"));
        }
      }
      return opened;
    } catch (Exception e) {
      opened.close();
      throw e;
    }
  }

  /** Every input tensor the merge reads, by model reference. */
  private static Map<String, Set<String>> tensorsRead(
      Recipe recipe, Map<String, Checkpoint> inputs) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (PlannedTensor t : MergePlan.build(recipe, inputs).tensors()) {
      if (t.base() != null) {
        add(out, t.base());
      }
      t.models().forEach(s -> add(out, s));
    }
    return out;
  }

  private static void add(Map<String, Set<String>> out, TensorSource s) {
    out.computeIfAbsent(s.model(), m -> new TreeSet<>()).add(s.tensor());
  }

  /**
   * A fetch into the cache, sparse when {@code tensors} is given; returns the directory to open
   * (complete, or the work directory of a sparse fetch).
   */
  private Path fetch(FetchRunner.Session session, Fetched f, String tensors) throws IOException {
    ProgressBar bar =
        new ProgressBar(
            err, "fetch " + f.id.substring(f.id.length() - 8), "chunks", ProgressBar.onTerminal());
    try {
      ExpertFetch.Result r =
          session.run(
              new ExpertFetch.Request(f.id, f.cache, tensors, tensors != null),
              new FetchCommand.Progress(bar, err));
      f.chunks += r.chunksFetched();
      f.bytes += r.bytesFetched();
      return r.directory();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("model '" + f.id + "': fetch interrupted", e);
    } catch (IOException | RuntimeException e) {
      throw new IOException("model '" + f.id + "': " + e.getMessage(), e);
    } catch (Exception e) {
      throw new IOException("model '" + f.id + "': " + e.getMessage(), e);
    } finally {
      bar.finish();
    }
  }

  /** The checkpoint a reference names on disk, or null when it is an expert id to resolve. */
  private Path localPath(String ref) throws IOException {
    Path asGiven = Path.of(ref);
    if (Files.exists(asGiven)) {
      return asGiven;
    }
    Path besideRecipe = recipeDir.resolve(ref);
    if (Files.exists(besideRecipe)) {
      return besideRecipe;
    }
    if (!looksLikeExpertId(ref)) {
      throw new CheckpointException(
          "model '"
              + ref
              + "' is neither a local checkpoint (looked in "
              + asGiven.toAbsolutePath().getParent()
              + " and "
              + recipeDir
              + ") nor an expert id");
    }
    if (hostedPath(ref) == null && !Files.exists(home.resolve(NodeHome.CONFIG))) {
      throw new CheckpointException(
          "model '"
              + ref
              + "' is an expert id and "
              + home
              + " is no node home to fetch it with (run 'amalgam init', or fetch it with"
              + " 'amalgam fetch' and name the directory)");
    }
    return null;
  }

  static boolean looksLikeExpertId(String ref) {
    return ref.matches("bagaaiera[a-z2-7]{50,}");
  }

  private Path cacheOf(String id) throws IOException {
    return NodeHome.open(home).dataDir().resolve("experts").resolve(id);
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

  /** Opens the fetch session (daemon or one-shot join) only when an expert must be fetched. */
  private final class LazySession implements FetchRunner.Session {
    private FetchRunner.Session session;

    @Override
    public ExpertFetch.Result run(ExpertFetch.Request r, ExpertFetch.Listener listener)
        throws Exception {
      if (session == null) {
        session = FetchRunner.open(home);
      }
      return session.run(r, listener);
    }

    @Override
    public void close() {
      if (session != null) {
        session.close();
      }
    }
  }
}
