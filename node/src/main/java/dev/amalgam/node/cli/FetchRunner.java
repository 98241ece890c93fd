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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a fetch (of an expert or a summary) for a node home: inside its daemon when one runs (an
 * expert fetch's events stream back; the fetch goes on in the daemon if this process ends), else as
 * a one-shot DHT client joined through the home's bootstrap and remembered peers.
 */
final class FetchRunner {
  private FetchRunner() {}

  /** Runs fetches for one home: through its daemon, or joined once for all of them. */
  interface Session extends AutoCloseable {
    ExpertFetch.Result run(ExpertFetch.Request r, ExpertFetch.Listener listener) throws Exception;

    @Override
    void close();
  }

  static ExpertFetch.Result run(Path homeDir, ExpertFetch.Request r, ExpertFetch.Listener listener)
      throws Exception {
    try (Session s = open(homeDir)) {
      return s.run(r, listener);
    }
  }

  /** Fetches a summary into {@code target}: through the daemon, else as a one-shot client. */
  static SummaryFetch.Result runSummary(Path homeDir, String id, Path target) throws Exception {
    Optional<ApiClient> daemon = ApiClient.find(homeDir);
    if (daemon.isPresent()) {
      return daemon.get().fetchSummary(id, target).result();
    }
    try (OneShot client = new OneShot(NodeHome.open(homeDir))) {
      return client.summaryFetch().run(id, target, new ExpertFetch.Listener() {});
    }
  }

  static Session open(Path homeDir) throws Exception {
    Optional<ApiClient> daemon = ApiClient.find(homeDir);
    if (daemon.isPresent()) {
      ApiClient api = daemon.get();
      return new Session() {
        @Override
        public ExpertFetch.Result run(ExpertFetch.Request r, ExpertFetch.Listener listener)
            throws Exception {
          return api.fetch(
              new FetchRequest(r.id(), r.target().toString(), r.tensors(), r.sparse()), listener);
        }

        @Override
        public void close() {}
      };
    }
    return new OneShot(NodeHome.open(homeDir));
  }

  /** Joins the federation as a DHT client at the first fetch, until closed. */
  private static final class OneShot implements Session {
    private final NodeHome home;
    private final List<AutoCloseable> open = new ArrayList<>();
    private Joined joined;
    private ExpertFetch fetch;

    /** The one-shot client once it has joined. */
    private record Joined(KadDht dht, Bitswap bitswap, NodeStore store, NodeConfig.Limits limits) {}

    OneShot(NodeHome home) {
      this.home = home;
    }

    @Override
    public ExpertFetch.Result run(ExpertFetch.Request r, ExpertFetch.Listener listener)
        throws Exception {
      if (fetch == null) {
        Joined j = joined();
        fetch =
            new ExpertFetch(
                j.dht(),
                j.bitswap(),
                j.store(),
                ExpertFetch.configFor(j.limits().fetchConcurrency()),
                j.limits().badPeerPenalty());
      }
      return fetch.run(r, listener);
    }

    SummaryFetch summaryFetch() throws Exception {
      Joined j = joined();
      return new SummaryFetch(
          j.dht(),
          j.bitswap(),
          j.store(),
          ExpertFetch.configFor(j.limits().fetchConcurrency()),
          j.limits().badPeerPenalty());
    }

    private Joined joined() throws Exception {
      if (joined == null) {
        joined = join();
      }
      return joined;
    }

    private Joined join() throws Exception {
      NodeHome h = home;
      NodeConfig.Limits limits = h.config().limits();
      NodeStore store = keep(NodeStore.open(h.statePath()));
      Host host =
          keep(new Host(HostConfig.defaults().withIdentity(h.identity()).withTransport(1, true)));
      HostedBlocks none = keep(new HostedBlocks());
      List<Multiaddr> targets =
          NodeDaemon.joinTargets(NodeDaemon.federationOf(h), store, host.peerId(), w -> {});
      if (targets.isEmpty()) {
        throw new UserError(
            h.dir()
                + ": no bootstrap or remembered peers to find providers through (set bootstrap in "
                + NodeHome.CONFIG
                + ", or start the node)");
      }
      KadDht dht =
          keep(
              new KadDht(
                      host,
                      KadConfig.defaults()
                          .withClientMode(true)
                          .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20))
                          .withValidators(Validators.amalgam()))
                  .start());
      Bitswap bitswap = keep(Bitswap.start(host, none, NodeDaemon.bitswapConfig(limits)));
      if (dht.bootstrap(targets) == 0) {
        throw new UserError(
            "none of the "
                + targets.size()
                + " bootstrap or remembered peers of "
                + h.dir()
                + " answered");
      }
      return new Joined(dht, bitswap, store, limits);
    }

    private <T extends AutoCloseable> T keep(T resource) {
      open.add(resource);
      return resource;
    }

    /** Closes in reverse order of opening. */
    @Override
    public void close() {
      for (AutoCloseable c : open.reversed()) {
        try {
          c.close();
        } catch (Exception e) {
          // closing a client that is going away anyway
        }
      }
      open.clear();
    }
  }
}
