package dev.amalgam.node.cli;

import dev.amalgam.bootstrap.FederationDescriptor;
import dev.amalgam.node.api.ApiClient;
import dev.amalgam.node.api.FetchJobView;
import dev.amalgam.node.api.HostedView;
import dev.amalgam.node.api.StatusView;
import dev.amalgam.node.daemon.NodeDaemon;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Show the node: federation, addresses, peers, hosted experts and, when the daemon runs,"
            + " the fetches running in it.")
final class NodeStatusCommand implements Callable<Integer> {
  @Option(names = "--json", description = "Print as JSON.")
  boolean json;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path dir = home.resolve();
    Optional<ApiClient> daemon = LocalNode.daemon(dir);
    StatusView s = daemon.isPresent() ? daemon.get().status() : offline(dir);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      JsonOutput.print(out, s);
      return Amalgam.EXIT_OK;
    }
    out.println("node        " + s.peerId() + (s.running() ? " (running)" : " (not running)"));
    out.println("home        " + s.home());
    out.println("federation  " + s.federation() + "  topics " + String.join(" ", s.topics()));
    out.println("bootstrap   " + (s.bootstrap().isEmpty() ? "-" : String.join(" ", s.bootstrap())));
    out.println("listen      " + (s.listen().isEmpty() ? "-" : String.join(" ", s.listen())));
    out.println("control API " + (s.api() == null ? "-" : "http://" + s.api()));
    out.println("known experts from peers: " + s.knownExperts());
    out.println();
    out.println((s.running() ? "peers (connected): " : "peers (remembered): ") + s.peers().size());
    PeersCommand.print(s.peers(), out);
    out.println();
    out.println("hosted experts: " + s.hosted().size());
    ExpertListCommand.print(s.hosted(), out, false);
    if (s.running()) {
      out.println();
      out.println("fetches running: " + s.fetches().size());
      TextTable t = new TextTable("EXPERT", "OUTPUT", "DONE", "PEERS", "CLIENTS");
      for (FetchJobView f : s.fetches()) {
        t.row(
            f.id() + (f.tensors() == null ? "" : " (" + f.tensors() + ")"),
            f.out(),
            f.chunksDone() + "/" + f.chunks() + " chunks, " + Bytes.human(f.bytesDone()),
            String.valueOf(f.peers()),
            String.valueOf(f.clients()));
      }
      t.print(out);
    }
    return Amalgam.EXIT_OK;
  }

  private static StatusView offline(Path dir) throws Exception {
    try (LocalNode node = LocalNode.open(dir)) {
      FederationDescriptor fed = NodeDaemon.federationOf(node.home);
      int known = node.store.knownCards().size();
      return new StatusView(
          false,
          node.home.peerId().toString(),
          dir.toString(),
          fed.name(),
          fed.topics(),
          fed.bootstrap().stream().map(Multiaddr::toString).toList(),
          node.home.config().listen(),
          null,
          PeersCommand.remembered(dir),
          node.registry().list().stream().map(HostedView::of).toList(),
          known,
          java.util.List.of());
    }
  }
}
