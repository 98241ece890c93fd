package dev.amalgam.node.cli;

import dev.amalgam.node.api.ApiClient;
import dev.amalgam.node.api.FetchRequest;
import dev.amalgam.node.daemon.NodeDaemon;
import dev.amalgam.node.exchange.ExpertFetch;
import dev.amalgam.node.exchange.HostedBlocks;
import dev.amalgam.node.exchange.SummaryFetch;
import dev.amalgam.node.home.NodeConfig;
import dev.amalgam.node.home.NodeHome;
import dev.amalgam.node.home.NodeStore;
import dev.amalgam.protocol.bitswap.Bitswap;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.kad.KadConfig;
import dev.amalgam.protocol.kad.KadDht;
import dev.amalgam.protocol.kad.Validators;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs a fetch (of an expert or a summary) for a node home: inside its daemon when one runs (an
 * expert fetch's events stream back), else as a one-shot DHT client joined through the home's
 * bootstrap and remembered peers.
 */
final class FetchRunner {
  private FetchRunner() {}

  static ExpertFetch.Result run(Path homeDir, ExpertFetch.Request r, ExpertFetch.Listener listener)
      throws Exception {
    Optional<ApiClient> daemon = ApiClient.find(homeDir);
    if (daemon.isPresent()) {
      return daemon
          .get()
          .fetch(new FetchRequest(r.id(), r.target().toString(), r.tensors()), listener);
    }
    return oneShot(NodeHome.open(homeDir), r, listener);
  }

  /** Fetches a summary into {@code target}: through the daemon, else as a one-shot client. */
  static SummaryFetch.Result runSummary(Path homeDir, String id, Path target) throws Exception {
    Optional<ApiClient> daemon = ApiClient.find(homeDir);
    if (daemon.isPresent()) {
      return daemon.get().fetchSummary(id, target).result();
    }
    return withClient(
        NodeHome.open(homeDir),
        (dht, bitswap, store, limits) ->
            new SummaryFetch(dht, bitswap, ExpertFetch.configFor(limits.fetchConcurrency()))
                .run(id, target, new ExpertFetch.Listener() {}));
  }

  private static ExpertFetch.Result oneShot(
      NodeHome h, ExpertFetch.Request r, ExpertFetch.Listener progress) throws Exception {
    return withClient(
        h,
        (dht, bitswap, store, limits) ->
            new ExpertFetch(dht, bitswap, store, ExpertFetch.configFor(limits.fetchConcurrency()))
                .run(r, progress));
  }

  /** What runs once the one-shot client has joined. */
  private interface ClientWork<T> {
    T run(KadDht dht, Bitswap bitswap, NodeStore store, NodeConfig.Limits limits) throws Exception;
  }

  /** Joins the federation as a DHT client for the time of {@code work}. */
  private static <T> T withClient(NodeHome h, ClientWork<T> work) throws Exception {
    NodeConfig.Limits limits = h.config().limits();
    try (NodeStore store = NodeStore.open(h.statePath());
        Host host =
            new Host(HostConfig.defaults().withIdentity(h.identity()).withTransport(1, true));
        HostedBlocks none = new HostedBlocks()) {
      List<Multiaddr> targets =
          NodeDaemon.joinTargets(NodeDaemon.federationOf(h), store, host.peerId(), w -> {});
      if (targets.isEmpty()) {
        throw new UserError(
            h.dir()
                + ": no bootstrap or remembered peers to find providers through (set bootstrap in "
                + NodeHome.CONFIG
                + ", or start the node)");
      }
      try (KadDht dht =
              new KadDht(
                      host,
                      KadConfig.defaults()
                          .withClientMode(true)
                          .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20))
                          .withValidators(Validators.amalgam()))
                  .start();
          Bitswap bitswap = Bitswap.start(host, none, NodeDaemon.bitswapConfig(limits))) {
        if (dht.bootstrap(targets) == 0) {
          throw new UserError(
              "none of the "
                  + targets.size()
                  + " bootstrap or remembered peers of "
                  + h.dir()
                  + " answered");
        }
        return work.run(dht, bitswap, store, limits);
      }
    }
  }
}
