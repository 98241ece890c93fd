package dev.amalgam.node.demo;

import dev.amalgam.node.api.ApiClient;
import dev.amalgam.node.api.ExpertView;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One node of the demo federation: its home, the experts it hosts (name to expert id), and once
 * started its daemon process and control API.
 */
public final class DemoNode {
  private final String name;
  private final Path home;
  private final Map<String, String> hosted;
  private AmalgamChild daemon;
  private String peerId;
  private ApiClient api;

  DemoNode(String name, Path home, Map<String, String> hosted) {
    this.name = name;
    this.home = home;
    this.hosted = Map.copyOf(hosted);
  }

  public String name() {
    return name;
  }

  public Path home() {
    return home;
  }

  /** The id of the expert this node hosts under {@code expertName}. */
  public String hostedId(String expertName) {
    String id = hosted.get(expertName);
    if (id == null) {
      throw new IllegalArgumentException(name + " hosts no expert named " + expertName);
    }
    return id;
  }

  public String peerId() {
    return peerId;
  }

  public ApiClient api() {
    return api;
  }

  void started(AmalgamChild daemon, String peerId, ApiClient api) {
    this.daemon = daemon;
    this.peerId = peerId;
    this.api = api;
  }

  public AmalgamChild daemon() {
    return daemon;
  }

  /**
   * Polls this node's view of the federation (its control API) until the experts satisfy {@code
   * done}; returns that view.
   */
  public List<ExpertView> awaitExperts(
      Predicate<List<ExpertView>> done, Duration timeout, String what)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ExpertView> seen = api.experts(null);
    while (!done.test(seen)) {
      if (System.nanoTime() > deadline) {
        throw new DemoException(
            name
                + " did not see "
                + what
                + " within "
                + timeout.toSeconds()
                + " s (it sees "
                + seen.size()
                + " experts; log: "
                + daemon.name()
                + ".log)");
      }
      if (!daemon.isAlive()) {
        throw new DemoException(name + ": its daemon exited (see " + daemon.name() + ".log)");
      }
      Thread.sleep(200);
      seen = api.experts(null);
    }
    return seen;
  }

  /** The card of expert {@code id} offered by peer {@code peer}, if this node has it. */
  public static Optional<ExpertView> card(List<ExpertView> experts, String id, String peer) {
    return experts.stream().filter(e -> e.id().equals(id) && e.peer().equals(peer)).findFirst();
  }
}
