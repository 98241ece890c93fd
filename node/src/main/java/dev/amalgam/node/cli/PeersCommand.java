package dev.amalgam.node.cli;

import dev.amalgam.node.api.ApiClient;
import dev.amalgam.node.api.PeerView;
import dev.amalgam.node.home.NodeStore;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "peers",
    mixinStandardHelpOptions = true,
    description = {
      "List connected peers, and the peers penalized for serving blocks that failed",
      "verification (left out of fetches for limits.bad_peer_penalty_seconds).",
      "Without a running daemon, lists the peers remembered in the node database."
    })
final class PeersCommand implements Callable<Integer> {
  @Option(names = "--json", description = "Print as JSON.")
  boolean json;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path dir = home.resolve();
    Optional<ApiClient> daemon = LocalNode.daemon(dir);
    List<PeerView> peers = daemon.isPresent() ? daemon.get().peers() : remembered(dir);
    if (json) {
      JsonOutput.print(spec.commandLine().getOut(), peers);
      return Amalgam.EXIT_OK;
    }
    if (daemon.isEmpty()) {
      spec.commandLine().getErr().println("no daemon runs on " + dir + "; remembered peers:");
    }
    print(peers, spec.commandLine().getOut());
    return Amalgam.EXIT_OK;
  }

  static void print(List<PeerView> peers, java.io.PrintWriter out) {
    TextTable t = new TextTable("PEER", "STATE", "PENALTY", "ADDRESSES");
    for (PeerView p : peers) {
      t.row(
          p.id(),
          p.connected()
              ? "connected"
              : "seen " + Instant.ofEpochMilli(p.lastSeenMillis()).truncatedTo(ChronoUnit.SECONDS),
          p.penalty() == null
              ? "-"
              : "penalized "
                  + p.penalty().count()
                  + "x until "
                  + Instant.ofEpochMilli(p.penalty().untilMillis()).truncatedTo(ChronoUnit.SECONDS)
                  + ": "
                  + p.penalty().reason(),
          String.join(" ", p.addrs()));
    }
    t.print(out);
  }

  static List<PeerView> remembered(Path dir) throws Exception {
    try (LocalNode node = LocalNode.open(dir)) {
      List<PeerView> peers =
          node.store.peers().stream()
              .map(
                  (NodeStore.KnownPeer p) ->
                      new PeerView(p.peerId(), p.addrs(), false, null, p.lastSeen()))
              .toList();
      long penalty = node.home.config().limits().badPeerPenalty().toMillis();
      if (penalty == 0) {
        return peers;
      }
      return PeerView.withPenalties(
          peers, node.store.penalties(System.currentTimeMillis() - penalty), penalty);
    }
  }
}
