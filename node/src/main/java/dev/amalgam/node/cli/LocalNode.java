package dev.amalgam.node.cli;

import dev.amalgam.node.api.ApiClient;
import dev.amalgam.node.expert.ExpertRegistry;
import dev.amalgam.node.home.NodeHome;
import dev.amalgam.node.home.NodeStore;
import dev.amalgam.node.summary.SummaryRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a verb reaches a node home: through the daemon's control API when one runs on it, else
 * straight through the home's files and database.
 */
final class LocalNode implements AutoCloseable {
  final NodeHome home;
  final NodeStore store;

  private LocalNode(NodeHome home, NodeStore store) {
    this.home = home;
    this.store = store;
  }

  static Optional<ApiClient> daemon(Path dir) throws IOException {
    return ApiClient.find(dir);
  }

  /** A verb's work done through the running daemon. */
  interface ViaDaemon<T> {
    T apply(ApiClient daemon) throws Exception;
  }

  /** The same work done on the home directly. */
  interface ViaHome<T> {
    T apply(LocalNode node) throws Exception;
  }

  /** Runs {@code viaDaemon} when a daemon runs on the home, else {@code viaHome}. */
  static <T> T either(Path dir, ViaDaemon<T> viaDaemon, ViaHome<T> viaHome) throws Exception {
    Optional<ApiClient> daemon = daemon(dir);
    if (daemon.isPresent()) {
      return viaDaemon.apply(daemon.get());
    }
    try (LocalNode node = open(dir)) {
      return viaHome.apply(node);
    }
  }

  static LocalNode open(Path dir) throws IOException {
    NodeHome home = NodeHome.open(dir);
    return new LocalNode(home, NodeStore.open(home.statePath()));
  }

  ExpertRegistry registry() {
    return new ExpertRegistry(store);
  }

  SummaryRegistry summaries() {
    return new SummaryRegistry(store);
  }

  @Override
  public void close() {
    store.close();
  }
}
