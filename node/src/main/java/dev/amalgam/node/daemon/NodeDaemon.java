package dev.amalgam.node.daemon;

import dev.amalgam.bootstrap.EventLog;
import dev.amalgam.bootstrap.FederationDescriptor;
import dev.amalgam.bootstrap.card.CardException;
import dev.amalgam.bootstrap.card.CardGossipCheck;
import dev.amalgam.bootstrap.card.ExpertCard;
import dev.amalgam.bootstrap.card.SummaryNote;
import dev.amalgam.bootstrap.round.DevSet;
import dev.amalgam.bootstrap.round.RoundException;
import dev.amalgam.bootstrap.round.RoundMessages;
import dev.amalgam.bootstrap.round.RoundProposal;
import dev.amalgam.merge.fusion.SummaryFormatException;
import dev.amalgam.merge.fusion.SummaryKey;
import dev.amalgam.merge.fusion.SummaryManifest;
import dev.amalgam.merge.recipe.RecipeParser;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.node.api.ExpertView;
import dev.amalgam.node.api.HostedView;
import dev.amalgam.node.api.PeerView;
import dev.amalgam.node.api.RoundView;
import dev.amalgam.node.api.StatusView;
import dev.amalgam.node.api.SummaryView;
import dev.amalgam.node.card.CardDirectory;
import dev.amalgam.node.card.CardExchange;
import dev.amalgam.node.exchange.ExpertFetch;
import dev.amalgam.node.exchange.HostedBlocks;
import dev.amalgam.node.exchange.SummaryFetch;
import dev.amalgam.node.expert.ExpertRegistry;
import dev.amalgam.node.home.HomeException;
import dev.amalgam.node.home.NodeConfig;
import dev.amalgam.node.home.NodeHome;
import dev.amalgam.node.home.NodeStore;
import dev.amalgam.node.home.NodeStore.HostedExpert;
import dev.amalgam.node.home.NodeStore.HostedSummary;
import dev.amalgam.node.round.RoundBook;
import dev.amalgam.node.round.RoundRunner;
import dev.amalgam.node.summary.SummaryNotes;
import dev.amalgam.node.summary.SummaryRegistry;
import dev.amalgam.protocol.bitswap.Bitswap;
import dev.amalgam.protocol.bitswap.BitswapConfig;
import dev.amalgam.protocol.bitswap.BlockStore;
import dev.amalgam.protocol.bitswap.CorruptingBlockStore;
import dev.amalgam.protocol.bitswap.DontHaveException;
import dev.amalgam.protocol.bitswap.PeerMisbehavedException;
import dev.amalgam.protocol.host.Connection;
import dev.amalgam.protocol.host.ConnectionListener;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.identify.IdentifyInfo;
import dev.amalgam.protocol.kad.KadConfig;
import dev.amalgam.protocol.kad.KadDht;
import dev.amalgam.protocol.kad.Validators;
import dev.amalgam.protocol.mdns.MdnsDiscovery;
import dev.amalgam.protocol.mss.MultistreamException;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.pubsub.Gossipsub;
import dev.amalgam.protocol.pubsub.GossipsubConfig;
import dev.amalgam.protocol.pubsub.Message;
import dev.amalgam.protocol.pubsub.ValidationResult;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A running node: listens, joins its federation through the bootstrap peers and the peers it
 * remembers, serves the DHT, relays the federation's gossip, announces a signed card for each
 * hosted expert (gossip and DHT provider records for the expert id and the family id), validates
 * and keeps the cards of others, and remembers its peers. It serves the manifest and chunks of its
 * hosted experts over bitswap, straight from their mapped checkpoints, and fetches experts for the
 * {@code fetch} verb. Hosted distribution summaries are announced the same way (a signed summary
 * note on the experts topic; provider records for the summary id and its summary key), served over
 * bitswap, and fetched for {@code summary fetch}. On the federation's merges topic it keeps every
 * round proposal and result (see {@link RoundBook}), proposes rounds for the {@code round propose}
 * verb, and takes part in rounds when its config volunteers (see {@link RoundRunner}).
 */
public final class NodeDaemon implements AutoCloseable {
  /** Cards are re-signed and re-announced this often; they stay valid for three periods. */
  public static final Duration ANNOUNCE_INTERVAL = Duration.ofMinutes(10);

  static final Duration CARD_LIFETIME = ANNOUNCE_INTERVAL.multipliedBy(3);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration MDNS_INTERVAL = Duration.ofSeconds(10);
  private static final int REMEMBERED_PEERS_TO_DIAL = 64;

  /**
   * Test-only fault injection: when this environment variable is {@code 1}, the node serves every
   * block with a byte flipped (see {@link CorruptingBlockStore}). Never set it in production.
   */
  public static final String TEST_ONLY_CORRUPT_BLOCKS_ENV = "AMALGAM_TEST_ONLY_CORRUPT_BLOCKS";

  /**
   * Test-only fault injection: for this many milliseconds after an expert is added to the running
   * node, its card service holds every request unanswered (longer than askers wait), as a busy or
   * briefly unreachable node would. Never set it in production.
   */
  public static final String TEST_ONLY_SILENT_CARDS_MS_ENV = "AMALGAM_TEST_ONLY_SILENT_CARDS_MS";

  private final long silentCardsNanos;
  private volatile long cardsSilentUntil = System.nanoTime();

  private final NodeHome home;
  private final NodeStore store;
  private final FederationDescriptor federation;
  private final EventLog log;
  private final NodeMetrics metrics = new NodeMetrics();
  private final Host host;
  private final KadDht dht;
  private final Gossipsub gossip;
  private final CardDirectory cards;
  private final ExpertRegistry registry;
  private final SummaryNotes notes;
  private final SummaryRegistry summaries;
  private final HostedBlocks blocks = new HostedBlocks();
  private final Bitswap bitswap;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("amalgam-node-timer").unstarted(r));
  private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();
  private final FetchJobs fetches = new FetchJobs(work, this::fetch);
  private final LaterConfirmations later =
      new LaterConfirmations(
          timer, work, LaterConfirmations.DELAYS, LaterConfirmations.MAX_PENDING);
  private final Set<PeerId> connected = ConcurrentHashMap.newKeySet();
  private final Set<PeerId> topicPeersSeen = new HashSet<>();
  private final Set<PeerId> mergesPeersSeen = new HashSet<>();
  private final Set<String> verifiedRounds = ConcurrentHashMap.newKeySet();
  private final RoundBook rounds;
  private final RoundRunner roundRunner;
  private final Object announceLock = new Object();
  private final Set<PeerId> mdnsDialing = ConcurrentHashMap.newKeySet();
  private final Set<PeerId> mdnsSeen = ConcurrentHashMap.newKeySet();
  private volatile MdnsDiscovery mdns;
  private volatile boolean closed;

  private NodeDaemon(
      NodeHome home,
      NodeStore store,
      FederationDescriptor federation,
      EventLog log,
      Host host,
      KadDht dht,
      Gossipsub gossip) {
    this.home = home;
    this.store = store;
    this.federation = federation;
    this.log = log;
    this.host = host;
    this.dht = dht;
    this.gossip = gossip;
    this.cards = new CardDirectory(store);
    this.registry = new ExpertRegistry(store);
    this.notes = new SummaryNotes(store);
    this.summaries = new SummaryRegistry(store);
    this.rounds = new RoundBook(store);
    this.roundRunner =
        new RoundRunner(new RunnerNode(), rounds, federation, home.config().rounds(), log);
    this.silentCardsNanos = testOnlySilentCardsNanos(log);
    BlockStore served = blocks;
    if ("1".equals(System.getenv(TEST_ONLY_CORRUPT_BLOCKS_ENV))) {
      log.event("TEST ONLY", TEST_ONLY_CORRUPT_BLOCKS_ENV + "=1: serving corrupt blocks");
      served = new CorruptingBlockStore(blocks);
    }
    this.bitswap = Bitswap.start(host, served, bitswapConfig(home.config().limits()));
  }

  private static long testOnlySilentCardsNanos(EventLog log) {
    String ms = System.getenv(TEST_ONLY_SILENT_CARDS_MS_ENV);
    if (ms == null || ms.isBlank()) {
      return 0;
    }
    log.event("TEST ONLY", TEST_ONLY_SILENT_CARDS_MS_ENV + "=" + ms + ": card service goes silent");
    return TimeUnit.MILLISECONDS.toNanos(Long.parseLong(ms.strip()));
  }

  /**
   * The card service, held silent for a while after an expert is added when the test switch is on.
   */
  private void serveCards(dev.amalgam.protocol.host.Stream s)
      throws IOException, InterruptedException {
    long silent = cardsSilentUntil - System.nanoTime();
    if (silent > 0) {
      Thread.sleep(TimeUnit.NANOSECONDS.toMillis(silent));
      s.reset();
      return;
    }
    CardExchange.serve(s, this::hostedCards);
  }

  /** Bitswap limits from config.yaml. */
  public static BitswapConfig bitswapConfig(NodeConfig.Limits limits) {
    return BitswapConfig.defaults().withUploadRate(limits.uploadBytesPerSecondPerPeer());
  }

  /**
   * Whom a node dials to join: the federation's bootstrap peers, then up to 64 remembered peers
   * (never itself).
   */
  public static List<Multiaddr> joinTargets(
      FederationDescriptor federation,
      NodeStore store,
      PeerId self,
      java.util.function.Consumer<String> warn) {
    Set<Multiaddr> targets = new LinkedHashSet<>(federation.bootstrap());
    try {
      int n = 0;
      for (NodeStore.KnownPeer p : store.peers()) {
        if (n++ >= REMEMBERED_PEERS_TO_DIAL || p.peerId().equals(self.toString())) {
          continue;
        }
        PeerId id = PeerId.parse(p.peerId());
        for (String a : p.addrs()) {
          try {
            targets.add(Multiaddr.parse(a).withPeerId(id));
          } catch (IllegalArgumentException e) {
            // an address this version cannot parse: skip it
          }
        }
      }
    } catch (SQLException | IllegalArgumentException e) {
      warn.accept("peerstore unreadable: " + e.getMessage());
    }
    targets.removeIf(a -> a.peerId().map(self::equals).orElse(false));
    return List.copyOf(targets);
  }

  /** The federation a home's config names: a bare name, or a descriptor file under the home. */
  public static FederationDescriptor federationOf(NodeHome home) throws IOException {
    NodeConfig config = home.config();
    List<Multiaddr> boot = new ArrayList<>();
    Path configFile = home.dir().resolve(NodeHome.CONFIG);
    for (String b : config.bootstrap()) {
      boot.add(FederationDescriptor.parseBootstrap(b, configFile.toString()));
    }
    if (FederationDescriptor.looksLikeFile(config.federation())) {
      return FederationDescriptor.read(home.dir().resolve(config.federation()))
          .withExtraBootstrap(boot);
    }
    return FederationDescriptor.named(config.federation(), boot);
  }

  /** Starts the node; the caller closes it. Listen errors name the address. */
  public static NodeDaemon start(NodeHome home, EventLog log)
      throws IOException, InterruptedException {
    FederationDescriptor federation = federationOf(home);
    NodeConfig.Limits limits = home.config().limits();
    NodeStore store = NodeStore.open(home.statePath());
    Host host =
        new Host(
            HostConfig.defaults()
                .withIdentity(home.identity())
                .withLimits(
                    limits.maxConnections(),
                    limits.maxConnectionsPerPeer(),
                    limits.maxStreamsPerConnection())
                .withTransport(2, true));
    try {
      for (String l : home.config().listen()) {
        Multiaddr a;
        try {
          a = Multiaddr.parse(l);
        } catch (IllegalArgumentException e) {
          throw new HomeException(
              home.dir().resolve(NodeHome.CONFIG) + ": listen '" + l + "': " + e.getMessage());
        }
        host.listen(a);
      }
    } catch (IOException | RuntimeException e) {
      host.close();
      store.close();
      throw e;
    }
    KadDht dht =
        new KadDht(
            host,
            KadConfig.defaults()
                .withClientMode(false)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20))
                .withValidators(Validators.amalgam()));
    Gossipsub gossip = new Gossipsub(host, GossipsubConfig.defaults());
    NodeDaemon d = new NodeDaemon(home, store, federation, log, host, dht, gossip);
    try {
      d.begin();
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
    return d;
  }

  private void begin() throws IOException {
    try {
      cards.load();
      notes.load();
    } catch (SQLException e) {
      throw new HomeException(home.statePath() + ": cannot read known cards: " + e.getMessage(), e);
    }
    host.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void connected(Connection c) {
            onConnected(c);
          }

          @Override
          public void disconnected(Connection c) {
            onDisconnected(c);
          }
        });
    host.setStreamHandler(CardExchange.PROTOCOL, this::serveCards);
    dht.start();
    gossip.start();
    gossip.addValidator(
        federation.expertsTopic(),
        m -> SummaryNote.claims(m.data()) ? validateNote(m) : validateCard(m));
    gossip.subscribe(federation.expertsTopic(), this::onExpertsTopicMessage);
    int abandoned = rounds.abandonUnfinished();
    if (abandoned > 0) {
      log.event("rounds abandoned", abandoned + " rounds were unfinished when the node stopped");
    }
    gossip.addValidator(federation.mergesTopic(), m -> RoundMessages.validate(m, log));
    gossip.subscribe(federation.mergesTopic(), this::onRoundMessage);
  }

  /** Serves the expert's blocks unless it already does; false when its checkpoint is unusable. */
  private boolean serve(HostedExpert e) {
    if (blocks.serves(e.expertId())) {
      return true;
    }
    try {
      blocks.serve(e.expertId(), e.path());
      log.event("expert served", e.expertId() + " over bitswap from " + e.path());
      return true;
    } catch (IOException | RuntimeException ex) {
      log.event("expert not served", e.expertId() + ": " + ex.getMessage());
      return false;
    }
  }

  /** Joins the federation and starts announcing; call once the addresses are printed. */
  public void run() {
    if (home.config().mdns()) {
      try {
        mdns =
            new MdnsDiscovery(
                    host.peerId(),
                    this::dialableAddresses,
                    found -> onMdnsPeer(found.peer(), found.addresses()),
                    MDNS_INTERVAL,
                    MdnsDiscovery.defaultInterfaces())
                .start();
        log.event("mdns started", "as " + mdns.peerName() + "." + MdnsDiscovery.SERVICE);
      } catch (IOException e) {
        log.event("mdns unavailable", e.getMessage());
      }
    }
    timer.execute(() -> work.execute(this::joinAndAnnounce));
    timer.scheduleWithFixedDelay(this::checkTopicPeers, 1, 1, TimeUnit.SECONDS);
    timer.scheduleWithFixedDelay(() -> work.execute(this::keepJoined), 15, 15, TimeUnit.SECONDS);
    long every = ANNOUNCE_INTERVAL.toSeconds();
    timer.scheduleWithFixedDelay(
        () -> work.execute(this::announceAll), every, every, TimeUnit.SECONDS);
  }

  // ---- joining ----

  private void joinAndAnnounce() {
    join();
    announceAll();
  }

  /** Dials the bootstrap peers and the remembered ones; returns how many DHT peers answered. */
  private int join() {
    List<Multiaddr> targets =
        joinTargets(federation, store, host.peerId(), w -> log.event("join", w));
    if (targets.isEmpty()) {
      log.event("join skipped", "no bootstrap or remembered peers; waiting for peers to dial in");
      return 0;
    }
    metrics.joins.incrementAndGet();
    metrics.dhtLookups.incrementAndGet();
    try {
      int reached = dht.bootstrap(targets);
      log.event(
          "joined",
          "federation "
              + federation.name()
              + ": "
              + connected.size()
              + " peers connected, "
              + reached
              + " DHT servers answered");
      return reached;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (RuntimeException e) {
      log.event("join failed", e.getMessage());
      return 0;
    }
  }

  private void keepJoined() {
    if (!closed && connected.isEmpty()) {
      join();
    }
  }

  /** Listen addresses, with a wildcard address replaced by each interface address. */
  private List<Multiaddr> dialableAddresses() {
    List<Multiaddr> out = new ArrayList<>();
    for (Multiaddr a : host.listenAddresses()) {
      java.net.InetSocketAddress sa = a.toTcpSocketAddress();
      if (!sa.getAddress().isAnyLocalAddress()) {
        out.add(a);
        continue;
      }
      try {
        for (java.net.InetAddress ia : MdnsDiscovery.interfaceAddresses()) {
          out.add(Multiaddr.tcp(new java.net.InetSocketAddress(ia, sa.getPort())));
        }
      } catch (java.net.SocketException e) {
        // no interface list: announce nothing for this address
      }
    }
    return out;
  }

  private void onMdnsPeer(PeerId peer, List<Multiaddr> addrs) {
    if (closed) {
      return;
    }
    if (mdnsSeen.add(peer)) {
      // logged once per peer, also when that peer has already dialed us
      log.event("peer discovered", peer + " via mDNS at " + addrs);
    }
    if (!host.connections(peer).isEmpty() || !mdnsDialing.add(peer)) {
      return;
    }
    work.execute(
        () -> {
          try {
            for (Multiaddr a : addrs) {
              try {
                host.dial(a);
                return;
              } catch (IOException e) {
                // try the next address
              }
            }
            log.event("peer unreachable", peer + " (mDNS addresses " + addrs + ")");
          } finally {
            mdnsDialing.remove(peer);
          }
        });
  }

  // ---- connections and the peerstore ----

  private void onConnected(Connection c) {
    if (closed) {
      return;
    }
    try {
      c.channel().pipeline().addFirst(TrafficCounter.NAME, metrics.traffic);
    } catch (IllegalArgumentException e) {
      // already counting this channel
    }
    PeerId peer = c.remotePeer();
    if (connected.add(peer)) {
      log.event("peer connected", peer + " " + c.remoteAddress());
    }
    c.identified()
        .thenAccept(
            info -> {
              if (!closed) {
                work.execute(() -> onIdentified(peer, info));
              }
            });
  }

  private void onDisconnected(Connection c) {
    PeerId peer = c.remotePeer();
    if (host.connections(peer).isEmpty() && connected.remove(peer)) {
      log.event("peer disconnected", peer.toString());
    }
  }

  private void onIdentified(PeerId peer, IdentifyInfo info) {
    if (closed) {
      return;
    }
    List<String> addrs =
        host.peerstore().addresses(peer).stream()
            .map(a -> a.decapsulate(dev.amalgam.protocol.multiaddr.Protocol.P2P).toString())
            .distinct()
            .toList();
    boolean federationPeer =
        info.protocols().contains(KadConfig.AMALGAM_PROTOCOL)
            || info.protocols().contains(Gossipsub.V11);
    if (federationPeer && !addrs.isEmpty()) {
      try {
        store.putPeer(new NodeStore.KnownPeer(peer.toString(), addrs, System.currentTimeMillis()));
      } catch (SQLException e) {
        log.event("peerstore write failed", e.getMessage());
      }
    }
    if (info.protocols().contains(CardExchange.PROTOCOL)) {
      pullCards(peer);
    }
  }

  /** Asks a newly met node for the cards it hosts, so joining nodes see the federation at once. */
  private void pullCards(PeerId peer) {
    List<byte[]> envelopes;
    try {
      envelopes = CardExchange.ask(host, peer, List.of(), ASK_TIMEOUT);
    } catch (IOException e) {
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    for (byte[] env : envelopes) {
      try {
        ExpertCard.Signed s = ExpertCard.open(env);
        if (!s.card().peer().equals(peer)) {
          throw new CardException(
              "card signed by " + s.card().peer() + " but served by " + peer + " as its own");
        }
        if (s.card().expired(System.currentTimeMillis())) {
          continue;
        }
        keep(s, "from " + peer);
      } catch (CardException e) {
        reject(peer, e.getMessage());
      }
    }
  }

  // ---- cards ----

  private List<byte[]> hostedCards(List<Cid> ids) {
    List<byte[]> out = new ArrayList<>();
    try {
      for (HostedExpert e : store.hostedExperts()) {
        if (ids.isEmpty() || ids.stream().anyMatch(id -> id.toString().equals(e.expertId()))) {
          store.hostedCard(e.expertId()).ifPresent(out::add);
        }
      }
    } catch (SQLException e) {
      log.event("database read failed", e.getMessage());
    }
    return out;
  }

  private ValidationResult validateCard(Message m) {
    ExpertCard.Signed s;
    try {
      s = CardGossipCheck.check(m, System.currentTimeMillis());
    } catch (CardException e) {
      if (e.stale()) {
        return ValidationResult.IGNORE;
      }
      reject(m.receivedFrom(), e.getMessage());
      return ValidationResult.REJECT;
    }
    if (s.card().peer().equals(host.peerId()) || cards.knows(s.envelope())) {
      return ValidationResult.ACCEPT;
    }
    return confirmed(
        m,
        "card ignored",
        s.card().expertId() + " from " + s.card().peer() + ": peer unreachable",
        () -> confirmProvides(s.card()));
  }

  /** Something its signer must prove over the network before a gossiped record is accepted. */
  private interface Confirmation {
    void run() throws CardException, IOException, InterruptedException;
  }

  /**
   * Accepts when {@code confirmation} succeeds; rejects (and penalizes the forwarder) when it
   * proves the record false; ignores, logging {@code ignoredEvent}, when the signer cannot be
   * reached, and then tries again later ({@link LaterConfirmations}): gossip will not offer the
   * same message again, and the signer's next announcement may be 10 min away.
   */
  private ValidationResult confirmed(
      Message m, String ignoredEvent, String subject, Confirmation confirmation) {
    try {
      confirmation.run();
      return ValidationResult.ACCEPT;
    } catch (CardException e) {
      reject(m.receivedFrom(), e.getMessage());
      return ValidationResult.REJECT;
    } catch (IOException e) {
      boolean again =
          later.schedule(
              subject,
              () -> confirmedLater(m, confirmation),
              () ->
                  log.event(
                      ignoredEvent,
                      subject
                          + ": gave up after "
                          + LaterConfirmations.DELAYS.size()
                          + " more tries; waiting for its next announcement"));
      log.event(ignoredEvent, subject + ": " + e.getMessage() + (again ? "; will ask again" : ""));
      return ValidationResult.IGNORE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ValidationResult.IGNORE;
    }
  }

  /** A later try of an ignored record: delivered as if just accepted, or rejected, or not yet. */
  private boolean confirmedLater(Message m, Confirmation confirmation) {
    if (closed) {
      return true;
    }
    try {
      confirmation.run();
      onExpertsTopicMessage(m);
      return true;
    } catch (CardException e) {
      reject(m.receivedFrom(), e.getMessage());
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /** Lets a dial reach a record's signer at the addresses it signed, unless already connected. */
  private void learnAddresses(PeerId peer, List<Multiaddr> addrs) {
    if (host.connections(peer).isEmpty() && !addrs.isEmpty()) {
      host.peerstore().addAddresses(peer, addrs);
    }
  }

  /**
   * Asks the card's peer whether it hosts the expert: it must answer with its own card for that id.
   * A peer that does not speak the card protocol, or answers without the card, does not provide it.
   */
  private void confirmProvides(ExpertCard card)
      throws CardException, IOException, InterruptedException {
    learnAddresses(card.peer(), card.addrs());
    List<byte[]> answer;
    try {
      answer = CardExchange.ask(host, card.peer(), List.of(card.expertId()), ASK_TIMEOUT);
    } catch (MultistreamException e) {
      throw new CardException(
          "peer "
              + card.peer()
              + " does not provide expert "
              + card.expertId()
              + " (no card service)");
    }
    boolean vouched = false;
    for (byte[] env : answer) {
      ExpertCard c = ExpertCard.open(env).card();
      vouched |= c.peer().equals(card.peer()) && c.expertId().equals(card.expertId());
    }
    if (!vouched) {
      throw new CardException(
          "peer " + card.peer() + " does not provide expert " + card.expertId());
    }
    confirmServesManifest(card);
  }

  /**
   * A peer's word is not enough: it must also serve the expert's manifest over bitswap, whose bytes
   * bitswap checks against the expert id (the manifest CID).
   */
  private void confirmServesManifest(ExpertCard card)
      throws CardException, IOException, InterruptedException {
    wantRoot(card.peer(), card.expertId(), "the manifest of expert");
  }

  /**
   * Asks {@code peer} for the block {@code id} (bitswap checks its bytes against the id). A peer
   * that has not got it or sends a bad block does not serve it (CardException); one that does not
   * answer in time may just be slow (IOException).
   */
  private byte[] wantRoot(PeerId peer, Cid id, String what)
      throws CardException, IOException, InterruptedException {
    try {
      java.nio.ByteBuffer b =
          bitswap.wantBlock(peer, id, 1).get(ASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      byte[] bytes = new byte[b.remaining()];
      b.duplicate().get(bytes);
      return bytes;
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof DontHaveException
          || e.getCause() instanceof PeerMisbehavedException) {
        throw new CardException(
            "peer "
                + peer
                + " does not serve "
                + what
                + " "
                + id
                + ": "
                + e.getCause().getMessage());
      }
      throw new IOException(what + " " + id + ": " + e.getCause().getMessage());
    } catch (java.util.concurrent.TimeoutException e) {
      bitswap.cancel(peer, id);
      throw new IOException(what + " " + id + " not served within " + ASK_TIMEOUT);
    }
  }

  private void onExpertsTopicMessage(Message m) {
    if (SummaryNote.claims(m.data())) {
      onNote(m);
      return;
    }
    try {
      ExpertCard.Signed s = ExpertCard.open(m.data());
      if (!s.card().peer().equals(host.peerId())) {
        keep(s, "via " + m.receivedFrom());
      }
    } catch (CardException e) {
      // validated just before delivery; cannot happen
    }
  }

  private void keep(ExpertCard.Signed s, String how) {
    try {
      CardDirectory.Outcome o = cards.offer(s);
      if (o == CardDirectory.Outcome.NEW) {
        metrics.cardsAccepted.incrementAndGet();
        ExpertCard c = s.card();
        log.event(
            "card accepted",
            c.expertId()
                + " '"
                + c.name()
                + "' family "
                + c.familyId()
                + " peer "
                + c.peer()
                + " "
                + how);
      }
    } catch (SQLException e) {
      log.event("database write failed", e.getMessage());
    }
  }

  private void reject(PeerId from, String why) {
    metrics.cardsRejected.incrementAndGet();
    log.event("card rejected", "from " + from + ": " + why);
  }

  // ---- announcing ----

  private ExpertCard cardFor(HostedExpert e, long now) {
    return new ExpertCard(
        host.peerId(),
        e.name(),
        Cid.parse(e.expertId()),
        Cid.parse(e.familyId()),
        Optional.ofNullable(e.tokenizerId()).map(Cid::parse),
        Optional.ofNullable(e.baseId()).map(Cid::parse),
        e.tags(),
        e.scores(),
        e.sizeBytes(),
        host.listenAddresses(),
        now,
        now + CARD_LIFETIME.toMillis(),
        e.mergedFrom().stream().map(Cid::parse).toList(),
        Optional.ofNullable(e.recipeSha256()));
  }

  /** Re-signs and announces every hosted expert and summary. */
  public void announceAll() {
    try {
      for (HostedExpert e : store.hostedExperts()) {
        announce(e);
      }
      for (HostedSummary h : store.hostedSummaries()) {
        announceSummary(h);
      }
    } catch (SQLException e) {
      log.event("database read failed", e.getMessage());
    }
  }

  private void announce(HostedExpert e) {
    if (closed) {
      return;
    }
    synchronized (announceLock) {
      if (!serve(e)) {
        return; // announced once its checkpoint can be served again (next announce round)
      }
      try {
        ExpertCard.Signed s = cardFor(e, System.currentTimeMillis()).seal(home.identity());
        store.setHostedCard(e.expertId(), s.envelope());
        int gossiped = gossip.publish(federation.expertsTopic(), s.envelope());
        metrics.dhtLookups.addAndGet(2);
        int toldExpert = dht.provide(Cid.parse(e.expertId()).multihash().bytes());
        int toldFamily = dht.provide(Cid.parse(e.familyId()).multihash().bytes());
        metrics.announcements.incrementAndGet();
        log.event(
            "expert announced",
            e.expertId()
                + " '"
                + e.name()
                + "' gossip "
                + gossiped
                + " peers, provider record at "
                + Math.min(toldExpert, toldFamily)
                + " DHT peers");
      } catch (SQLException ex) {
        log.event("database write failed", ex.getMessage());
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException ex) {
        log.event("announce failed", e.expertId() + ": " + ex.getMessage());
      }
    }
  }

  /**
   * Publishes the current cards, and this node's own round proposals and results, again when new
   * peers join the experts or merges topic.
   */
  private void checkTopicPeers() {
    if (closed) {
      return;
    }
    if (newPeersOn(federation.expertsTopic(), topicPeersSeen)) {
      work.execute(
          () -> {
            for (byte[] env : hostedCards(List.of())) {
              gossip.publish(federation.expertsTopic(), env);
            }
            try {
              for (byte[] env : store.hostedNotes()) {
                gossip.publish(federation.expertsTopic(), env);
              }
            } catch (SQLException e) {
              log.event("database read failed", e.getMessage());
            }
          });
    }
    if (newPeersOn(federation.mergesTopic(), mergesPeersSeen)) {
      work.execute(
          () -> {
            try {
              for (byte[] env : rounds.own(host.peerId().toString())) {
                gossip.publish(federation.mergesTopic(), env);
              }
            } catch (IOException e) {
              log.event("database read failed", e.getMessage());
            }
          });
    }
  }

  private boolean newPeersOn(String topic, Set<PeerId> seen) {
    Set<PeerId> now = gossip.topicPeers(topic);
    boolean fresh = !seen.containsAll(now);
    seen.retainAll(now);
    seen.addAll(now);
    return fresh;
  }

  // ---- merge rounds ----

  private void onRoundMessage(Message m) {
    RoundMessages.Opened o;
    try {
      o = RoundMessages.open(m.data());
    } catch (RoundException e) {
      return; // validated just before delivery; cannot happen
    }
    if (o.signer().equals(host.peerId())) {
      return;
    }
    work.execute(() -> keepRoundMessage(o));
  }

  private void keepRoundMessage(RoundMessages.Opened o) {
    try {
      NodeStore.ResultOutcome outcome = rounds.offer(o, System.currentTimeMillis());
      switch (o) {
        case RoundMessages.Proposal p -> {
          if (outcome == NodeStore.ResultOutcome.NEW) {
            log.event(
                "round proposed",
                p.signed().id() + " by " + p.signer() + " over " + p.signed().proposal().inputs());
            roundRunner.consider(
                p.signed(), () -> verdictAfterOwnResult(p.signed().id().toString()));
          }
        }
        case RoundMessages.Result r -> {
          String proposal = r.signed().result().proposalId().toString();
          if (outcome == NodeStore.ResultOutcome.NEW) {
            log.event(
                "round result",
                proposal
                    + " output "
                    + r.signed().result().outputId()
                    + " from "
                    + r.signer()
                    + " scores "
                    + r.signed().result().scores());
          } else if (outcome == NodeStore.ResultOutcome.CONFLICTING) {
            log.event(
                "round result contradicted",
                proposal
                    + ": "
                    + r.signer()
                    + " now claims output "
                    + r.signed().result().outputId());
          }
          logVerdict(proposal);
        }
      }
    } catch (IOException e) {
      log.event("round message not kept", e.getMessage());
    }
  }

  /** Our own result may be the one that verifies a round, or that shows another peer lied. */
  private void verdictAfterOwnResult(String proposalId) {
    try {
      logVerdict(proposalId);
    } catch (IOException e) {
      log.event("database read failed", e.getMessage());
    }
  }

  /** Logs a round's verification once, and each flagged result as it appears. */
  private void logVerdict(String proposalId) throws IOException {
    for (RoundView v : rounds.views()) {
      if (!v.id().equals(proposalId)) {
        continue;
      }
      if (v.verifiedOutput() != null && verifiedRounds.add(proposalId)) {
        long by = v.results().stream().filter(r -> r.status().equals("verified")).count();
        log.event(
            "round verified",
            proposalId + " output " + v.verifiedOutput() + " by " + by + " peers");
      }
      for (RoundView.Result r : v.results()) {
        if (r.status().equals("flagged") && verifiedRounds.add(proposalId + " " + r.peer())) {
          log.event("round result flagged", proposalId + " from " + r.peer() + ": " + r.reason());
        }
      }
    }
  }

  /**
   * Signs a proposal of a merge round, keeps it and publishes it on the merges topic; takes part in
   * it too when the config volunteers.
   *
   * @throws IllegalArgumentException naming what is wrong with the recipe or the dev set
   */
  public RoundView.Proposed propose(String recipeText, DevSet devSet) throws IOException {
    try {
      devSet.validated();
    } catch (RoundException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    if (recipeText.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
        > RoundProposal.MAX_RECIPE_BYTES) {
      throw new IllegalArgumentException(
          "recipe is longer than " + RoundProposal.MAX_RECIPE_BYTES + " bytes");
    }
    List<String> inputs = RoundRunner.inputsOf(RecipeParser.parse(recipeText, "recipe"), "recipe");
    String refused = RoundRunner.devSetRefusal(devSet, federation.evaluationDatasets());
    if (refused != null) {
      throw new IllegalArgumentException(refused);
    }
    long now = System.currentTimeMillis();
    RoundProposal.Signed s =
        new RoundProposal(
                host.peerId(),
                federation.name(),
                recipeText,
                inputs.stream().map(Cid::parse).toList(),
                devSet,
                now)
            .seal(home.identity());
    rounds.offer(new RoundMessages.Proposal(s), now);
    int peers = gossip.publish(federation.mergesTopic(), s.envelope());
    log.event("round proposed", s.id() + " by this node to " + peers + " peers over " + inputs);
    roundRunner.consider(s, () -> verdictAfterOwnResult(s.id().toString()));
    RoundView view =
        rounds.views().stream()
            .filter(v -> v.id().equals(s.id().toString()))
            .findFirst()
            .orElseThrow();
    return new RoundView.Proposed(view, peers);
  }

  public List<RoundView> rounds() throws IOException {
    return rounds.views();
  }

  /** What the round runner uses of this node. */
  private final class RunnerNode implements RoundRunner.Node {
    @Override
    public PeerId self() {
      return host.peerId();
    }

    @Override
    public dev.amalgam.protocol.crypto.PrivateKey identity() {
      return home.identity();
    }

    @Override
    public Path dataDir() {
      return home.dataDir();
    }

    @Override
    public Path hostedPath(String expertId) throws IOException {
      return registry.find(expertId).map(HostedExpert::path).orElse(null);
    }

    @Override
    public java.util.OptionalLong knownSize(String expertId) throws IOException {
      Optional<HostedExpert> hosted = registry.find(expertId);
      if (hosted.isPresent()) {
        return java.util.OptionalLong.of(hosted.get().sizeBytes());
      }
      return cards.list(null, System.currentTimeMillis()).stream()
          .filter(c -> c.expertId().toString().equals(expertId))
          .mapToLong(ExpertCard::sizeBytes)
          .findFirst();
    }

    @Override
    public void fetch(String expertId, Path target) throws IOException, InterruptedException {
      NodeDaemon.this.fetch(
          new ExpertFetch.Request(expertId, target, null), new ExpertFetch.Listener() {});
    }

    @Override
    public String host(Path checkpoint, String name, java.util.Map<String, Double> scores)
        throws IOException {
      return addExpert(new ExpertRegistry.Request(checkpoint, name, null, List.of("round"), scores))
          .expertId();
    }

    @Override
    public int publish(byte[] envelope) {
      return gossip.publish(federation.mergesTopic(), envelope);
    }
  }

  // ---- what the control API serves ----

  public HostedExpert addExpert(ExpertRegistry.Request r) throws IOException {
    HostedExpert e = registry.add(r);
    if (silentCardsNanos > 0) {
      cardsSilentUntil = System.nanoTime() + silentCardsNanos;
    }
    log.event("expert added", e.expertId() + " '" + e.name() + "' at " + e.path());
    work.execute(() -> announce(e));
    return e;
  }

  public boolean removeExpert(String id) throws IOException {
    boolean removed = registry.remove(id);
    if (removed) {
      blocks.unserve(id);
      log.event("expert removed", id);
    }
    return removed;
  }

  /**
   * Starts a fetch of an expert into a directory (see {@link ExpertFetch}) as a job of the daemon,
   * which runs to its end whether or not the client that asked stays; a request for a directory
   * that a running fetch of the same request writes joins that fetch.
   */
  public FetchJobs.Joined fetchJob(ExpertFetch.Request r) throws IOException {
    FetchJobs.Joined j = fetches.join(r);
    if (j.attached()) {
      log.event("fetch joined", r.id() + " into " + j.job().request().target());
    }
    return j;
  }

  private ExpertFetch.Result fetch(ExpertFetch.Request r, ExpertFetch.Listener listener)
      throws IOException, InterruptedException {
    log.event(
        "fetch started",
        r.id()
            + " into "
            + r.target()
            + (r.tensors() == null
                ? ""
                : (r.sparse() ? " (sparse, tensors " : " (tensors ")
                    + abbreviated(r.tensors())
                    + ")"));
    NodeConfig.Limits limits = home.config().limits();
    try {
      ExpertFetch.Result res =
          new ExpertFetch(
                  dht,
                  bitswap,
                  store,
                  ExpertFetch.configFor(limits.fetchConcurrency()),
                  limits.badPeerPenalty())
              .run(r, listener);
      log.event(
          "fetch done",
          r.id() + " into " + res.directory() + ": " + res.chunksFetched() + " chunks fetched");
      return res;
    } catch (IOException | RuntimeException e) {
      log.event("fetch failed", r.id() + ": " + e.getMessage());
      throw e;
    }
  }

  /** A merge's sparse fetch names every tensor it reads; the log shows the start of the list. */
  private static String abbreviated(String tensors) {
    return tensors.length() <= 120 ? tensors : tensors.substring(0, 117) + "...";
  }

  // ---- summaries ----

  private boolean serveSummary(HostedSummary h) {
    if (blocks.serves(h.summaryId())) {
      return true;
    }
    try {
      blocks.serveSummary(h.summaryId(), h.path());
      log.event("summary served", h.summaryId() + " over bitswap from " + h.path());
      return true;
    } catch (IOException | RuntimeException ex) {
      log.event("summary not served", h.summaryId() + ": " + ex.getMessage());
      return false;
    }
  }

  private SummaryNote noteFor(HostedSummary h, long now) {
    return new SummaryNote(
        host.peerId(),
        h.name(),
        Cid.parse(h.summaryId()),
        Cid.parse(h.datasetId()),
        Cid.parse(h.sourceModel()),
        Optional.ofNullable(h.sourceTokenizer()).map(Cid::parse),
        h.topK(),
        h.sequences(),
        h.responseTokens(),
        h.sizeBytes(),
        host.listenAddresses(),
        now,
        now + CARD_LIFETIME.toMillis());
  }

  /**
   * Serves the summary, signs its note, publishes it on the experts topic, and puts provider
   * records for the summary id and for its summary key (dataset id, source model id).
   */
  private void announceSummary(HostedSummary h) {
    if (closed) {
      return;
    }
    synchronized (announceLock) {
      if (!serveSummary(h)) {
        return;
      }
      try {
        SummaryNote.Signed s = noteFor(h, System.currentTimeMillis()).seal(home.identity());
        store.setHostedNote(h.summaryId(), s.envelope());
        int gossiped = gossip.publish(federation.expertsTopic(), s.envelope());
        metrics.dhtLookups.addAndGet(2);
        Cid key = SummaryKey.of(Cid.parse(h.datasetId()), Cid.parse(h.sourceModel()));
        int toldId = dht.provide(Cid.parse(h.summaryId()).multihash().bytes());
        int toldKey = dht.provide(key.multihash().bytes());
        metrics.announcements.incrementAndGet();
        log.event(
            "summary announced",
            h.summaryId()
                + " '"
                + h.name()
                + "' key "
                + key
                + " gossip "
                + gossiped
                + " peers, provider records at "
                + Math.min(toldId, toldKey)
                + " DHT peers");
      } catch (SQLException ex) {
        log.event("database write failed", ex.getMessage());
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException ex) {
        log.event("announce failed", h.summaryId() + ": " + ex.getMessage());
      }
    }
  }

  /**
   * A note heard on gossip: the static checks, then (unless already known) its signer must serve
   * the summary's root block over bitswap, and that root must describe what the note says.
   */
  private ValidationResult validateNote(Message m) {
    SummaryNote.Signed s;
    try {
      s = CardGossipCheck.checkNote(m, System.currentTimeMillis());
    } catch (CardException e) {
      if (e.stale()) {
        return ValidationResult.IGNORE;
      }
      reject(m.receivedFrom(), e.getMessage());
      return ValidationResult.REJECT;
    }
    if (s.note().peer().equals(host.peerId()) || notes.knows(s)) {
      return ValidationResult.ACCEPT;
    }
    return confirmed(
        m,
        "summary note ignored",
        s.note().summaryId() + " from " + s.note().peer(),
        () -> confirmServesRoot(s.note()));
  }

  private void confirmServesRoot(SummaryNote note)
      throws CardException, IOException, InterruptedException {
    learnAddresses(note.peer(), note.addrs());
    byte[] root = wantRoot(note.peer(), note.summaryId(), "the root of summary");
    SummaryManifest m;
    try {
      m = SummaryManifest.parse(root, "summary " + note.summaryId() + " root block");
    } catch (SummaryFormatException e) {
      throw new CardException(e.getMessage());
    }
    if (!m.dataset().equals(note.datasetId())
        || !m.sourceModel().equals(note.sourceModel())
        || m.topK() != note.topK()
        || m.sequences() != note.sequences()
        || m.responseTokens() != note.responseTokens()) {
      throw new CardException(
          "summary note of "
              + note.summaryId()
              + " from "
              + note.peer()
              + " does not match the summary's root block (dataset, source model, top_k or"
              + " counts differ)");
    }
  }

  private void onNote(Message m) {
    try {
      SummaryNote.Signed s = SummaryNote.open(m.data());
      if (!s.note().peer().equals(host.peerId()) && notes.offer(s)) {
        SummaryNote n = s.note();
        log.event(
            "summary note accepted",
            n.summaryId()
                + " '"
                + n.name()
                + "' dataset "
                + n.datasetId()
                + " model "
                + n.sourceModel()
                + " peer "
                + n.peer()
                + " via "
                + m.receivedFrom());
      }
    } catch (CardException e) {
      // validated just before delivery; cannot happen
    } catch (SQLException e) {
      log.event("database write failed", e.getMessage());
    }
  }

  public HostedSummary addSummary(SummaryRegistry.Request r) throws IOException {
    HostedSummary h = summaries.add(r);
    log.event("summary added", h.summaryId() + " '" + h.name() + "' at " + h.path());
    work.execute(() -> announceSummary(h));
    return h;
  }

  public boolean removeSummary(String id) throws IOException {
    boolean removed = summaries.remove(id);
    if (removed) {
      blocks.unserve(id);
      log.event("summary removed", id);
    }
    return removed;
  }

  public List<SummaryView> hostedSummaries() throws IOException {
    String self = host.peerId().toString();
    return summaries.list().stream().map(h -> SummaryView.of(h, self)).toList();
  }

  /** Hosted summaries, then unexpired notes of others, of a dataset and model (null: any). */
  public List<SummaryView> summaries(String dataset, String model) throws IOException {
    List<SummaryView> out = new ArrayList<>(hostedSummaries());
    notes.list(System.currentTimeMillis()).stream().map(SummaryView::of).forEach(out::add);
    return out.stream().filter(v -> v.matches(dataset, model)).toList();
  }

  /** Fetches a summary from the federation into a directory (see {@link SummaryFetch}). */
  public SummaryFetch.Result fetchSummary(String id, Path target)
      throws IOException, InterruptedException {
    log.event("summary fetch started", id + " into " + target);
    NodeConfig.Limits limits = home.config().limits();
    try {
      SummaryFetch.Result r =
          new SummaryFetch(
                  dht,
                  bitswap,
                  store,
                  ExpertFetch.configFor(limits.fetchConcurrency()),
                  limits.badPeerPenalty())
              .run(id, target, new ExpertFetch.Listener() {});
      log.event(
          "summary fetch done",
          id + " into " + r.directory() + ": " + r.blocksFetched() + " blocks");
      return r;
    } catch (IOException | RuntimeException e) {
      log.event("summary fetch failed", id + ": " + e.getMessage());
      throw e;
    }
  }

  public List<HostedView> hosted() throws IOException {
    return registry.list().stream().map(HostedView::of).toList();
  }

  /** Every unexpired expert known: the hosted ones first, then those of other peers. */
  public List<ExpertView> experts(String family) throws IOException {
    List<ExpertView> out = new ArrayList<>();
    for (HostedExpert e : registry.list()) {
      if (family == null || e.familyId().contains(family)) {
        out.add(ExpertView.of(e, host.peerId().toString()));
      }
    }
    cards.list(family, System.currentTimeMillis()).stream().map(ExpertView::of).forEach(out::add);
    return out;
  }

  public List<PeerView> peers() {
    List<PeerView> out = new ArrayList<>();
    for (PeerId p : connected) {
      out.add(
          new PeerView(
              p.toString(),
              host.peerstore().addresses(p).stream().map(Multiaddr::toString).toList(),
              true,
              host.peerstore().agentVersion(p).orElse(null),
              System.currentTimeMillis()));
    }
    out.sort(java.util.Comparator.comparing(PeerView::id));
    long penalty = home.config().limits().badPeerPenalty().toMillis();
    if (penalty == 0) {
      return out;
    }
    try {
      return PeerView.withPenalties(
          out, store.penalties(System.currentTimeMillis() - penalty), penalty);
    } catch (SQLException e) {
      log.event("database read failed", e.getMessage());
      return out;
    }
  }

  public StatusView status(String api) throws IOException {
    return new StatusView(
        true,
        host.peerId().toString(),
        home.dir().toString(),
        federation.name(),
        federation.topics(),
        federation.bootstrap().stream().map(Multiaddr::toString).toList(),
        addresses().stream().map(Multiaddr::toString).toList(),
        api,
        peers(),
        hosted(),
        cards.list(null, System.currentTimeMillis()).size(),
        fetches.running());
  }

  public String metrics() {
    return metrics.render(
        connected::size,
        () -> {
          try {
            return registry.list().size();
          } catch (IOException e) {
            return 0;
          }
        },
        cards::size,
        () -> gossip.stats().delivered.get());
  }

  // ----

  public Host host() {
    return host;
  }

  public FederationDescriptor federation() {
    return federation;
  }

  /** Listen addresses with {@code /p2p/<id>}. */
  public List<Multiaddr> addresses() {
    return host.listenAddresses().stream().map(a -> a.withPeerId(host.peerId())).toList();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (mdns != null) {
      mdns.close();
    }
    timer.shutdownNow();
    work.shutdownNow();
    gossip.close();
    bitswap.close();
    dht.close();
    host.close();
    blocks.close();
    store.close();
  }
}
