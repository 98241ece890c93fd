package dev.amalgam.node.summary;

import dev.amalgam.merge.fusion.Summary;
import dev.amalgam.merge.fusion.SummaryChunkSource;
import dev.amalgam.merge.fusion.SummaryManifest;
import dev.amalgam.node.home.HomeException;
import dev.amalgam.node.home.NodeStore;
import dev.amalgam.node.home.NodeStore.HostedSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The distribution summaries a node serves. Adding one reads the summary directory in full where it
 * lies (every block checked against its CID and decoded; nothing is copied) and records it in the
 * node database; the daemon announces each with a signed summary note.
 */
public final class SummaryRegistry {
  private final NodeStore store;

  public SummaryRegistry(NodeStore store) {
    this.store = store;
  }

  /** What the user asks to host. */
  public record Request(Path path, String name) {}

  public HostedSummary add(Request r) throws IOException {
    Path path = r.path().toAbsolutePath().normalize();
    if (!Files.isDirectory(path)) {
      throw new HomeException(path + ": no such summary directory");
    }
    String name = r.name() != null ? r.name() : path.getFileName().toString();
    if (name.isBlank() || name.length() > 128) {
      throw new HomeException("--name '" + name + "': 1-128 characters");
    }
    Summary summary = Summary.open(path);
    SummaryChunkSource source = SummaryChunkSource.open(path);
    SummaryManifest m = summary.manifest();
    HostedSummary h =
        new HostedSummary(
            source.id().toString(),
            path,
            name,
            m.dataset().toString(),
            m.sourceModel().toString(),
            m.sourceTokenizer() == null ? null : m.sourceTokenizer().toString(),
            m.topK(),
            m.sequences(),
            m.responseTokens(),
            source.totalBytes(),
            System.currentTimeMillis());
    try {
      store.putHostedSummary(h);
    } catch (SQLException e) {
      throw new HomeException("cannot record the summary: " + e.getMessage(), e);
    }
    return h;
  }

  public List<HostedSummary> list() throws IOException {
    try {
      return store.hostedSummaries();
    } catch (SQLException e) {
      throw new HomeException("cannot read hosted summaries: " + e.getMessage(), e);
    }
  }

  public Optional<HostedSummary> find(String summaryId) throws IOException {
    return list().stream().filter(s -> s.summaryId().equals(summaryId)).findFirst();
  }

  /** Stops hosting a summary; false when the node did not host it. */
  public boolean remove(String summaryId) throws IOException {
    try {
      return store.removeHostedSummary(summaryId);
    } catch (SQLException e) {
      throw new HomeException("cannot remove the summary: " + e.getMessage(), e);
    }
  }
}
