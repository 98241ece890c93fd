package dev.amalgam.node.cli;

import dev.amalgam.node.exchange.SummaryFetch;
import dev.amalgam.node.home.NodeHome;
import dev.amalgam.node.home.NodeStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * Turns a {@code --summary} reference into a directory: a local summary directory, the id of a
 * summary the node home serves, or the id of a summary fetched from the federation into the home's
 * cache ({@code DATA_DIR/summaries/ID}) first. Whatever the source, {@code fuse} reads the
 * directory back with every block checked against its CID.
 */
final class SummaryResolver {
  private final Path home;
  private final PrintWriter err;

  SummaryResolver(Path home, PrintWriter err) {
    this.home = home;
    this.err = err;
  }

  Path locate(String ref) throws IOException {
    Path asGiven = Path.of(ref);
    if (Files.exists(asGiven)) {
      return asGiven;
    }
    if (!ModelResolver.looksLikeExpertId(ref)) {
      throw new UserError("--summary '" + ref + "': neither a summary directory nor a summary id");
    }
    if (!Files.exists(home.resolve(NodeHome.CONFIG))) {
      throw new UserError(
          "--summary '"
              + ref
              + "' is a summary id and "
              + home
              + " is no node home to fetch it with (run 'amalgam init', or fetch it with"
              + " 'amalgam summary fetch' and name the directory)");
    }
    Path hosted = hostedPath(ref);
    if (hosted != null) {
      return hosted;
    }
    Path cached = NodeHome.open(home).dataDir().resolve("summaries").resolve(ref);
    if (Files.isDirectory(cached)) {
      return cached;
    }
    try {
      SummaryFetch.Result r = FetchRunner.runSummary(home, ref, cached);
      err.println(SummaryFetchCommand.describe(r));
      return r.directory();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("--summary '" + ref + "': fetch interrupted", e);
    } catch (Exception e) {
      throw new IOException("--summary '" + ref + "': " + e.getMessage(), e);
    }
  }

  private Path hostedPath(String id) throws IOException {
    if (!Files.exists(home.resolve(NodeHome.STATE))) {
      return null;
    }
    try (NodeStore store = NodeStore.open(home.resolve(NodeHome.STATE))) {
      return store.hostedSummaries().stream()
          .filter(s -> s.summaryId().equals(id))
          .map(NodeStore.HostedSummary::path)
          .findFirst()
          .orElse(null);
    } catch (SQLException e) {
      throw new IOException(home + ": cannot read the node database: " + e.getMessage(), e);
    }
  }
}
