package dev.amalgam.node.demo;

import dev.amalgam.node.api.ApiClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The demo's federation on loopback, every part its own JVM started through the CLI: a bootstrap
 * peer ({@code amalgam bootstrap start}) and nodes, each made with {@code amalgam init} and {@code
 * amalgam expert add} and run with {@code amalgam node start}.
 */
public final class DemoFederation {
  public static final String NAME = "demo";
  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration VERB = Duration.ofSeconds(90);

  /** What a node is to host: expert names (also their card names) to checkpoint directories. */
  public record Plan(String name, Map<String, Path> experts) {}

  private final Children children;
  private final Path dir;
  private AmalgamChild bootstrap;
  private String bootstrapAddress;
  private final List<DemoNode> nodes = new ArrayList<>();

  public DemoFederation(Children children, Path dir) {
    this.children = children;
    this.dir = dir;
  }

  /** Starts the bootstrap peer; returns its /p2p address. */
  public String startBootstrap() throws IOException, InterruptedException {
    bootstrap =
        children.start(
            "bootstrap",
            "bootstrap",
            "start",
            "--federation",
            NAME,
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--home",
            dir.resolve("bootstrap").toString());
    bootstrapAddress = bootstrap.awaitValue("listening on ", START);
    return bootstrapAddress;
  }

  /** Makes every node's home and adds its experts, the nodes side by side. */
  public List<DemoNode> createHomes(List<Plan> plans) throws IOException, InterruptedException {
    List<Callable<DemoNode>> work = new ArrayList<>();
    for (Plan p : plans) {
      work.add(() -> createHome(p));
    }
    nodes.addAll(all(work));
    return List.copyOf(nodes);
  }

  private DemoNode createHome(Plan p) throws IOException, InterruptedException {
    Path home = dir.resolve(p.name().replace(" ", ""));
    children.run(
        p.name() + "-init",
        VERB,
        "init",
        "--home",
        home.toString(),
        "--listen",
        "/ip4/127.0.0.1/tcp/0",
        "--bootstrap",
        bootstrapAddress,
        "--federation",
        NAME,
        "--api-port",
        "0",
        "--no-mdns");
    Map<String, String> ids = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : p.experts().entrySet()) {
      List<String> out =
          children.run(
              p.name() + "-add-" + e.getKey(),
              VERB,
              "expert",
              "add",
              e.getValue().toString(),
              "--home",
              home.toString(),
              "--name",
              e.getKey());
      ids.put(e.getKey(), lastLine(out));
    }
    return new DemoNode(p.name(), home, ids);
  }

  /** Starts every node's daemon, side by side; returns when each one's control API answers. */
  public void startNodes() throws IOException, InterruptedException {
    List<Callable<DemoNode>> work = new ArrayList<>();
    for (DemoNode n : nodes) {
      work.add(
          () -> {
            AmalgamChild daemon =
                children.start(n.name(), "node", "start", "--home", n.home().toString());
            String addr = daemon.awaitValue("listening on ", START);
            daemon.awaitLine(l -> l.startsWith("control API on "), START, "control API line");
            ApiClient api =
                ApiClient.find(n.home())
                    .orElseThrow(
                        () -> new DemoException(n.name() + ": its control API does not answer"));
            n.started(daemon, addr.substring(addr.indexOf("/p2p/") + 5), api);
            return n;
          });
    }
    all(work);
  }

  public String bootstrapAddress() {
    return bootstrapAddress;
  }

  public List<DemoNode> nodes() {
    return List.copyOf(nodes);
  }

  private static String lastLine(List<String> out) throws DemoException {
    for (int i = out.size() - 1; i >= 0; i--) {
      if (!out.get(i).isBlank()) {
        return out.get(i).strip();
      }
    }
    throw new DemoException("`amalgam expert add` printed no expert id");
  }

  /** Runs the tasks on threads of their own (they mostly wait on child JVMs). */
  private static <T> List<T> all(List<Callable<T>> work) throws IOException, InterruptedException {
    try (ExecutorService pool =
        Executors.newFixedThreadPool(work.size(), Thread.ofPlatform().daemon().factory())) {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> c : work) {
        futures.add(pool.submit(c));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(Futures.get(f));
      }
      return results;
    }
  }
}
