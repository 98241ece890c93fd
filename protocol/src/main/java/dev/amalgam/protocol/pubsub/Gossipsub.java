package dev.amalgam.protocol.pubsub;

import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.host.Connection;
import dev.amalgam.protocol.host.ConnectionListener;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.Stream;
import dev.amalgam.protocol.identify.IdentifyInfo;
import dev.amalgam.protocol.kad.TokenBucket;
import dev.amalgam.protocol.mss.ProtocolNotSupportedException;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.proto.LengthPrefixed;
import dev.amalgam.protocol.record.PeerRecord;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Gossipsub v1.1 router ({@code /meshsub/1.1.0}, falling back to {@code /meshsub/1.0.0}) with
 * StrictSign messages. Each peer gets one outbound stream fed by a bounded queue; inbound streams
 * are read-only. Router state is guarded by one lock; signature checks, application validators and
 * subscriber callbacks run outside it.
 */
public final class Gossipsub implements AutoCloseable {
  public static final String V11 = "/meshsub/1.1.0";
  public static final String V10 = "/meshsub/1.0.0";
  private static final System.Logger LOG = System.getLogger(Gossipsub.class.getName());
  private static final double UNKNOWN_TOPIC_PENALTY = 0.5;
  private static final int MAX_STREAM_REOPENS = 3;
  private static final java.time.Duration REOPEN_BACKOFF = java.time.Duration.ofMillis(200);
  private static final java.time.Duration STREAM_FAILURE_WINDOW = java.time.Duration.ofSeconds(30);

  private final Host host;
  private final GossipsubConfig config;
  private final PrivateKey identity;
  private final PeerId self;
  private final Object lock = new Object();
  private final Map<PeerId, PeerState> peers = new HashMap<>();
  private final Map<String, Set<PeerId>> topicPeers = new HashMap<>();
  private final Map<String, Set<PeerId>> mesh = new HashMap<>();
  private final Map<String, Set<PeerId>> fanout = new HashMap<>();
  private final Map<String, Long> fanoutLastPublished = new HashMap<>();
  private final Map<String, Map<PeerId, Long>> backoff = new HashMap<>();
  private final Map<ByteBuffer, Promise> promises = new HashMap<>();
  private final Map<String, Consumer<Message>> subscriptions = new ConcurrentHashMap<>();
  private final Map<String, TopicValidator> validators = new ConcurrentHashMap<>();
  private final Set<PeerId> directPeers = ConcurrentHashMap.newKeySet();
  private final MessageCache mcache;
  private final SeenCache seen;
  private final Set<ByteBuffer> verifying = new HashSet<>();
  private final PeerScore score;
  private final PubsubStats stats = new PubsubStats();
  private final AtomicLong seqno = new AtomicLong(System.currentTimeMillis() * 1_000_000L);
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());
  private long ticks;
  private volatile boolean closed;

  private record Promise(PeerId peer, long deadline) {}

  private final class PeerState {
    final PeerId id;
    final Set<String> topics = new HashSet<>();
    final BlockingQueue<byte[]> queue;
    final TokenBucket rate;
    final boolean outboundConnection;
    volatile String protocol;
    volatile Stream out;
    final java.util.concurrent.atomic.AtomicInteger pending =
        new java.util.concurrent.atomic.AtomicInteger();
    int ihavesThisHeartbeat;
    int idsAskedThisHeartbeat;

    PeerState(PeerId id, boolean outboundConnection) {
      this.id = id;
      this.outboundConnection = outboundConnection;
      this.queue = new ArrayBlockingQueue<>(config.maxOutboundQueue());
      this.rate =
          new TokenBucket(
              config.messagesPerSecondPerPeer(), 2.0 * config.messagesPerSecondPerPeer());
    }

    boolean isV10() {
      return V10.equals(protocol);
    }
  }

  public Gossipsub(Host host, GossipsubConfig config) {
    this.host = host;
    this.config = config;
    this.identity = host.config().identity();
    this.self = host.peerId();
    this.mcache =
        new MessageCache(
            config.mcacheLength(), config.mcacheGossip(), config.maxCachedPerHeartbeat());
    this.seen = new SeenCache(config.seenTtl().toNanos(), config.maxSeenEntries());
    this.score = new PeerScore(config.score());
  }

  public PubsubStats stats() {
    return stats;
  }

  public Host host() {
    return host;
  }

  /** Serves both meshsub versions, opens our stream to every peer that speaks one, starts ticks. */
  public Gossipsub start() {
    host.setStreamHandler(V11, this::serveInbound);
    host.setStreamHandler(V10, this::serveInbound);
    host.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void connected(Connection c) {
            watch(c);
          }

          @Override
          public void disconnected(Connection c) {
            if (host.connections(c.remotePeer()).isEmpty()) {
              removePeer(c.remotePeer());
            }
          }
        });
    host.connections().forEach(this::watch);
    long hb = config.heartbeatInterval().toMillis();
    timer.scheduleAtFixedRate(this::heartbeatSafely, Math.min(100, hb), hb, TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * Opens our stream once identify says the peer speaks meshsub. When identify fails on a
   * connection that is still up (say it timed out on a busy machine), the stream is tried anyway,
   * as go-libp2p does: a peer that speaks neither version refuses it and is forgotten, while one
   * that does is not cut off from gossip for the life of the connection.
   */
  private void watch(Connection c) {
    c.identified()
        .whenComplete(
            (info, failure) -> {
              if (failure == null) {
                maybeOpen(c, info);
              } else if (c.channel().isActive()) {
                ensurePeer(c.remotePeer(), c.direction() == Connection.Direction.OUTBOUND);
              }
            });
  }

  private void maybeOpen(Connection c, IdentifyInfo info) {
    if (info.protocols().contains(V11) || info.protocols().contains(V10)) {
      ensurePeer(c.remotePeer(), c.direction() == Connection.Direction.OUTBOUND);
    }
  }

  /** Always forwards to and accepts from {@code peer}, outside the mesh. */
  public void addDirectPeer(PeerId peer) {
    directPeers.add(peer);
  }

  public void addValidator(String topic, TopicValidator v) {
    validators.put(topic, v);
  }

  // ---- peers and streams ----

  private void ensurePeer(PeerId peer, boolean outboundConnection) {
    PeerState st;
    synchronized (lock) {
      if (closed || peers.containsKey(peer)) {
        return;
      }
      st = new PeerState(peer, outboundConnection);
      peers.put(peer, st);
      score.connected(peer);
      st.queue.add(helloRpc().encode());
      st.pending.incrementAndGet();
    }
    Thread.ofVirtual().name("gossipsub-out-" + peer).start(() -> writeLoop(st));
  }

  /**
   * Writes the peer's queue to our stream to it. A stream that fails while the peer is still
   * connected (say a duplicate connection closing under it, or the peer resetting the stream) is
   * reopened on a connection that remains, with our subscriptions sent again as on a new stream,
   * and the RPC that failed is written again. The peer is forgotten once it is disconnected, or
   * when more than {@link #MAX_STREAM_REOPENS} streams in a row failed within {@link
   * #STREAM_FAILURE_WINDOW} of opening (a peer that resets every stream is dropped, not chased).
   */
  private void writeLoop(PeerState st) {
    byte[] unsent = null;
    int failures = 0;
    try {
      while (!closed && peerIsCurrent(st)) {
        Stream s = null;
        long opened = 0;
        try {
          s = failures == 0 ? host.newStream(st.id, V11, V10) : reopen(st.id);
          st.protocol = s.protocol();
          st.out = s;
          if (failures > 0) {
            LengthPrefixed.write(s.out(), helloRpc().encode());
          }
          if (unsent != null) {
            LengthPrefixed.write(s.out(), unsent);
            unsent = null;
            st.pending.decrementAndGet();
          }
          opened = System.nanoTime();
          while (!closed) {
            byte[] rpc = st.queue.poll(1, TimeUnit.SECONDS);
            if (rpc != null) {
              unsent = rpc;
              LengthPrefixed.write(s.out(), rpc);
              unsent = null;
              st.pending.decrementAndGet();
            } else if (!peerIsCurrent(st)) {
              return;
            }
          }
        } catch (IOException e) {
          if (s != null) {
            s.reset();
          }
          // A stream that lived a while starts a new count: only quick failures add up.
          boolean livedLong =
              opened != 0 && System.nanoTime() - opened > STREAM_FAILURE_WINDOW.toNanos();
          failures = livedLong ? 1 : failures + 1;
          if (closed
              || e instanceof ProtocolNotSupportedException
              || host.connections(st.id).isEmpty()
              || failures > MAX_STREAM_REOPENS) {
            LOG.log(Level.DEBUG, "gossipsub stream to {0} failed: {1}", st.id, e.getMessage());
            return;
          }
          LOG.log(
              Level.INFO,
              "gossipsub stream to {0} failed ({1}); reopening it",
              st.id,
              e.getMessage());
          Thread.sleep(REOPEN_BACKOFF.toMillis() * failures);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      Stream s = st.out;
      if (s != null) {
        s.reset();
      }
      synchronized (lock) {
        if (peers.get(st.id) == st) {
          dropPeerLocked(st.id);
        }
      }
    }
  }

  /** A new stream on a connection that is still open; never dials. */
  private Stream reopen(PeerId peer) throws IOException {
    List<Connection> open = host.connections(peer);
    if (open.isEmpty()) {
      throw new IOException("no connection left to " + peer);
    }
    return open.get(0).newStream(V11, V10);
  }

  /** Our subscriptions, the first RPC on every stream we open. */
  private Rpc helloRpc() {
    List<Rpc.SubOpts> hello = new ArrayList<>();
    subscriptions.keySet().forEach(t -> hello.add(new Rpc.SubOpts(true, t)));
    return new Rpc(hello, List.of(), null);
  }

  private boolean peerIsCurrent(PeerState st) {
    synchronized (lock) {
      return peers.get(st.id) == st;
    }
  }

  private void removePeer(PeerId peer) {
    synchronized (lock) {
      dropPeerLocked(peer);
    }
  }

  private void dropPeerLocked(PeerId peer) {
    PeerState st = peers.remove(peer);
    if (st == null) {
      return;
    }
    topicPeers.values().forEach(s -> s.remove(peer));
    mesh.values().forEach(s -> s.remove(peer));
    fanout.values().forEach(s -> s.remove(peer));
    score.disconnected(peer, System.nanoTime());
    Stream s = st.out;
    if (s != null) {
      s.reset();
    }
  }

  private void send(PeerState st, Rpc rpc) {
    st.pending.incrementAndGet();
    if (!st.queue.offer(rpc.encode())) {
      st.pending.decrementAndGet();
      stats.outboundDropped.incrementAndGet();
    }
  }

  private void send(PeerId peer, Rpc rpc) {
    PeerState st = peers.get(peer);
    if (st != null) {
      send(st, rpc);
    }
  }

  // ---- inbound ----

  private void serveInbound(Stream s) throws IOException {
    PeerId from = s.connection().remotePeer();
    ensurePeer(from, s.connection().direction() == Connection.Direction.OUTBOUND);
    int maxFrame = config.maxMessageSize() + (64 << 10);
    while (!closed) {
      byte[] raw;
      try {
        raw = LengthPrefixed.read(s.in(), maxFrame, "gossipsub RPC from " + from);
      } catch (IllegalArgumentException e) {
        stats.malformedRpcs.incrementAndGet();
        penalize(from, 1, e.getMessage());
        throw e;
      }
      if (raw == null) {
        return;
      }
      Rpc rpc;
      try {
        rpc = Rpc.decode(raw);
      } catch (IllegalArgumentException e) {
        penalize(from, 1, e.getMessage());
        stats.malformedRpcs.incrementAndGet();
        continue;
      }
      handleRpc(from, rpc);
    }
  }

  private void penalize(PeerId peer, double count, String why) {
    LOG.log(Level.INFO, "gossipsub: penalizing {0}: {1}", peer, why);
    synchronized (lock) {
      score.behaviourPenalty(peer, count);
    }
  }

  void handleRpc(PeerId from, Rpc rpc) {
    PeerState st;
    synchronized (lock) {
      st = peers.get(from);
      if (st == null) {
        return;
      }
      if (score.score(from, System.nanoTime()) < config.score().graylistThreshold()) {
        stats.graylisted.incrementAndGet();
        return;
      }
      for (Rpc.SubOpts so : rpc.subscriptions()) {
        subscriptionChanged(st, so);
      }
    }
    for (PubsubMessage m : rpc.publish()) {
      if (!st.rate.tryTake()) {
        stats.rateLimited.incrementAndGet();
        continue;
      }
      handleMessage(from, m);
    }
    if (!rpc.control().isEmpty()) {
      handleControl(st, rpc.control());
    }
  }

  private void subscriptionChanged(PeerState st, Rpc.SubOpts so) {
    if (so.subscribe()) {
      if (st.topics.size() >= 1024) {
        return;
      }
      st.topics.add(so.topic());
      topicPeers.computeIfAbsent(so.topic(), t -> new LinkedHashSet<>()).add(st.id);
    } else {
      st.topics.remove(so.topic());
      Set<PeerId> tp = topicPeers.get(so.topic());
      if (tp != null) {
        tp.remove(st.id);
        if (tp.isEmpty()) {
          topicPeers.remove(so.topic());
        }
      }
      Set<PeerId> m = mesh.get(so.topic());
      if (m != null && m.remove(st.id)) {
        score.pruned(st.id, so.topic());
      }
      Set<PeerId> f = fanout.get(so.topic());
      if (f != null) {
        f.remove(st.id);
      }
    }
  }

  private void handleMessage(PeerId from, PubsubMessage m) {
    String topic = m.topic();
    if (!subscriptions.containsKey(topic)) {
      penalize(from, UNKNOWN_TOPIC_PENALTY, "message for unsubscribed topic '" + topic + "'");
      stats.unknownTopic.incrementAndGet();
      return;
    }
    if (m.size() > config.maxMessageSize()) {
      invalid(from, topic, "message of " + m.size() + " bytes exceeds " + config.maxMessageSize());
      stats.oversize.incrementAndGet();
      return;
    }
    byte[] id;
    try {
      id = config.messageId().id(m);
    } catch (RuntimeException e) {
      id = null;
    }
    ByteBuffer verifyingKey = id == null ? null : ByteBuffer.wrap(id);
    if (id != null) {
      synchronized (lock) {
        // A copy whose twin is being verified right now is a duplicate too: mesh and flood
        // publishing deliver several copies at once, and Ed25519 verification costs ~1 ms each.
        // Should the twin fail verification, IHAVE gossip still offers the genuine message.
        if (seen.contains(id) || !verifying.add(verifyingKey)) {
          stats.duplicates.incrementAndGet();
          score.duplicateDelivery(from, topic);
          return;
        }
      }
    }
    PeerId author;
    try {
      MessageSigning.verify(m);
      author = PeerId.fromBytes(m.from());
    } catch (IllegalArgumentException e) {
      invalid(from, topic, "invalid message in '" + topic + "': " + e.getMessage());
      stats.invalidSignatures.incrementAndGet();
      return;
    } finally {
      if (verifyingKey != null) {
        synchronized (lock) {
          verifying.remove(verifyingKey);
        }
      }
    }
    if (id == null) {
      id = config.messageId().id(m);
    }
    synchronized (lock) {
      promises.remove(ByteBuffer.wrap(id));
      if (!seen.add(id, System.nanoTime())) {
        stats.duplicates.incrementAndGet();
        score.duplicateDelivery(from, topic);
        return;
      }
    }
    Message delivered =
        new Message(
            topic,
            m.data() == null ? new byte[0] : m.data(),
            author,
            ByteBuffer.wrap(m.seqno()).getLong(),
            id,
            from);
    TopicValidator v = validators.get(topic);
    ValidationResult verdict = v == null ? ValidationResult.ACCEPT : v.validate(delivered);
    if (verdict == ValidationResult.REJECT) {
      invalid(from, topic, "validator rejected a message in '" + topic + "'");
      stats.rejected.incrementAndGet();
      return;
    }
    if (verdict == ValidationResult.IGNORE) {
      stats.ignored.incrementAndGet();
      return;
    }
    synchronized (lock) {
      score.firstDelivery(from, topic);
      mcache.put(id, m);
      Rpc fwd = Rpc.ofMessages(List.of(m));
      Set<PeerId> targets = new LinkedHashSet<>(mesh.getOrDefault(topic, Set.of()));
      for (PeerId d : directPeers) {
        if (topicPeers.getOrDefault(topic, Set.of()).contains(d)) {
          targets.add(d);
        }
      }
      targets.remove(from);
      targets.remove(author);
      targets.forEach(p -> send(p, fwd));
    }
    stats.delivered.incrementAndGet();
    Consumer<Message> handler = subscriptions.get(topic);
    if (handler != null) {
      try {
        handler.accept(delivered);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "subscriber of {0} failed: {1}", topic, e.getMessage());
      }
    }
  }

  private void invalid(PeerId from, String topic, String why) {
    LOG.log(Level.INFO, "gossipsub: rejecting from {0}: {1}", from, why);
    synchronized (lock) {
      score.invalidDelivery(from, topic);
    }
  }

  private void handleControl(PeerState st, Rpc.Control c) {
    long now = System.nanoTime();
    List<String> pruneBack = new ArrayList<>();
    List<PubsubMessage> wanted = new ArrayList<>();
    List<byte[]> iwant = new ArrayList<>();
    List<PeerId> pxCandidates = new ArrayList<>();
    synchronized (lock) {
      double s = score.score(st.id, now);
      for (String topic : c.graft()) {
        if (!subscriptions.containsKey(topic)) {
          continue;
        }
        Set<PeerId> m = mesh.computeIfAbsent(topic, t -> new LinkedHashSet<>());
        if (m.contains(st.id)) {
          continue;
        }
        if (directPeers.contains(st.id) || s < 0) {
          pruneBack.add(topic);
          continue;
        }
        Long until = backoff.getOrDefault(topic, Map.of()).get(st.id);
        if (until != null && until - now > 0) {
          score.behaviourPenalty(st.id, 1);
          pruneBack.add(topic);
          continue;
        }
        m.add(st.id);
        score.grafted(st.id, topic, now);
      }
      for (Rpc.Prune p : c.prune()) {
        Set<PeerId> m = mesh.get(p.topic());
        if (m != null && m.remove(st.id)) {
          score.pruned(st.id, p.topic());
        }
        long secs =
            p.backoffSeconds() == null ? config.pruneBackoff().toSeconds() : p.backoffSeconds();
        setBackoff(p.topic(), st.id, now + TimeUnit.SECONDS.toNanos(Math.min(secs, 3600)));
        if (!p.peers().isEmpty() && s >= config.score().acceptPxThreshold()) {
          for (Rpc.PxPeer px :
              p.peers().subList(0, Math.min(p.peers().size(), config.prunePeers()))) {
            acceptPeerExchange(st.id, px).ifPresent(pxCandidates::add);
          }
        }
      }
      if (s >= config.score().gossipThreshold()) {
        for (Rpc.IHave ih : c.ihave()) {
          if (++st.ihavesThisHeartbeat > config.maxIHaveMessages()) {
            break;
          }
          if (!mesh.containsKey(ih.topic())) {
            continue;
          }
          for (byte[] id : ih.messageIds()) {
            if (st.idsAskedThisHeartbeat >= config.maxIHaveLength()) {
              break;
            }
            ByteBuffer key = ByteBuffer.wrap(id);
            if (!seen.contains(id) && !promises.containsKey(key)) {
              iwant.add(id);
              st.idsAskedThisHeartbeat++;
            }
          }
        }
        if (!iwant.isEmpty()) {
          byte[] tracked = iwant.get(ThreadLocalRandom.current().nextInt(iwant.size()));
          promises.put(
              ByteBuffer.wrap(tracked),
              new Promise(st.id, now + config.iwantFollowupTime().toNanos()));
        }
        for (byte[] id : c.iwant()) {
          PubsubMessage m = mcache.get(id);
          if (m != null
              && mcache.countTransmission(id, st.id) <= config.maxIWantRetransmissions()) {
            wanted.add(m);
          }
        }
      }
      List<Rpc.Prune> prunes = new ArrayList<>();
      for (String topic : pruneBack) {
        prunes.add(pruneFor(st, topic, false));
      }
      if (!prunes.isEmpty() || !iwant.isEmpty()) {
        send(st, Rpc.ofControl(new Rpc.Control(List.of(), iwant, List.of(), prunes)));
      }
      if (!wanted.isEmpty()) {
        send(st, Rpc.ofMessages(wanted));
      }
    }
    for (PeerId px : pxCandidates) {
      if (!px.equals(self)
          && host.connections(px).isEmpty()
          && !host.peerstore().addresses(px).isEmpty()) {
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    host.dial(px);
                  } catch (IOException e) {
                    LOG.log(Level.DEBUG, "PX dial {0} failed: {1}", px, e.getMessage());
                  }
                });
      }
    }
  }

  /**
   * Reads one PX entry. A signed peer record is checked (signature, and that it is the record of
   * the peer it is offered for) before its addresses enter the peerstore; a bad one is dropped,
   * never trusted, and the entry's peer is still usable if its addresses are known from elsewhere.
   */
  private Optional<PeerId> acceptPeerExchange(PeerId from, Rpc.PxPeer px) {
    PeerId id;
    try {
      id = PeerId.fromBytes(px.peerId());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (px.signedPeerRecord() != null) {
      try {
        PeerRecord rec = PeerRecord.open(px.signedPeerRecord());
        if (!rec.peerId().equals(id)) {
          throw new IllegalArgumentException("it is the record of " + rec.peerId());
        }
        host.peerstore().setCertifiedRecord(id, rec, px.signedPeerRecord());
      } catch (IllegalArgumentException e) {
        LOG.log(
            Level.INFO, "ignoring PX peer record for {0} from {1}: {2}", id, from, e.getMessage());
      }
    }
    return Optional.of(id);
  }

  private void setBackoff(String topic, PeerId peer, long until) {
    backoff.computeIfAbsent(topic, t -> new HashMap<>()).merge(peer, until, Math::max);
  }

  private Rpc.Prune pruneFor(PeerState st, String topic, boolean unsubscribing) {
    long secs = (unsubscribing ? config.unsubscribeBackoff() : config.pruneBackoff()).toSeconds();
    setBackoff(topic, st.id, System.nanoTime() + TimeUnit.SECONDS.toNanos(secs));
    if (st.isV10()) {
      return new Rpc.Prune(topic, List.of(), null);
    }
    List<Rpc.PxPeer> px = new ArrayList<>();
    if (!unsubscribing && score.score(st.id, System.nanoTime()) >= 0) {
      List<PeerId> others = new ArrayList<>(topicPeers.getOrDefault(topic, Set.of()));
      others.remove(st.id);
      Collections.shuffle(others);
      others.stream()
          .limit(config.prunePeers())
          .forEach(
              p ->
                  px.add(
                      new Rpc.PxPeer(
                          p.bytes(), host.peerstore().certifiedEnvelope(p).orElse(null))));
    }
    return new Rpc.Prune(topic, px, secs);
  }

  // ---- API ----

  /** Subscribes, joins the topic's mesh and calls {@code handler} for each accepted message. */
  public void subscribe(String topic, Consumer<Message> handler) {
    synchronized (lock) {
      if (subscriptions.put(topic, handler) != null) {
        return;
      }
      Rpc announce = new Rpc(List.of(new Rpc.SubOpts(true, topic)), List.of(), null);
      peers.values().forEach(p -> send(p, announce));
      Set<PeerId> m = new LinkedHashSet<>();
      Set<PeerId> fromFanout = fanout.remove(topic);
      fanoutLastPublished.remove(topic);
      if (fromFanout != null) {
        m.addAll(fromFanout);
      }
      mesh.put(topic, m);
      fillMesh(topic, m, config.d(), System.nanoTime());
      m.forEach(p -> graft(p, topic));
    }
  }

  public void unsubscribe(String topic) {
    synchronized (lock) {
      if (subscriptions.remove(topic) == null) {
        return;
      }
      Rpc announce = new Rpc(List.of(new Rpc.SubOpts(false, topic)), List.of(), null);
      peers.values().forEach(p -> send(p, announce));
      Set<PeerId> m = mesh.remove(topic);
      if (m != null) {
        for (PeerId p : m) {
          score.pruned(p, topic);
          PeerState st = peers.get(p);
          if (st != null) {
            send(
                st,
                Rpc.ofControl(
                    new Rpc.Control(
                        List.of(), List.of(), List.of(), List.of(pruneFor(st, topic, true)))));
          }
        }
      }
    }
  }

  /**
   * Signs and publishes; returns how many peers it was sent to (0 when nobody subscribes). Flood
   * publishing sends it to every subscribed peer above the publish threshold.
   */
  public int publish(String topic, byte[] data) {
    byte[] seq = ByteBuffer.allocate(8).putLong(seqno.incrementAndGet()).array();
    PubsubMessage m =
        MessageSigning.sign(
            new PubsubMessage(self.bytes(), data, seq, topic, null, null), identity);
    if (m.size() > config.maxMessageSize()) {
      throw new IllegalArgumentException(
          "message of "
              + m.size()
              + " bytes exceeds the "
              + config.maxMessageSize()
              + "-byte limit for topic "
              + topic);
    }
    byte[] id = config.messageId().id(m);
    long now = System.nanoTime();
    synchronized (lock) {
      seen.add(id, now);
      mcache.put(id, m);
      Set<PeerId> targets = new LinkedHashSet<>();
      Set<PeerId> subscribed = topicPeers.getOrDefault(topic, Set.of());
      if (config.floodPublish()) {
        for (PeerId p : subscribed) {
          if (score.score(p, now) >= config.score().publishThreshold()) {
            targets.add(p);
          }
        }
      } else if (mesh.containsKey(topic)) {
        targets.addAll(mesh.get(topic));
      } else {
        Set<PeerId> f = fanout.computeIfAbsent(topic, t -> new LinkedHashSet<>());
        fillFanout(topic, f, now);
        targets.addAll(f);
        fanoutLastPublished.put(topic, now);
      }
      for (PeerId d : directPeers) {
        if (subscribed.contains(d)) {
          targets.add(d);
        }
      }
      Rpc rpc = Rpc.ofMessages(List.of(m));
      targets.forEach(p -> send(p, rpc));
      return targets.size();
    }
  }

  public Set<PeerId> meshPeers(String topic) {
    synchronized (lock) {
      return Set.copyOf(mesh.getOrDefault(topic, Set.of()));
    }
  }

  public Set<PeerId> topicPeers(String topic) {
    synchronized (lock) {
      return Set.copyOf(topicPeers.getOrDefault(topic, Set.of()));
    }
  }

  public double score(PeerId peer) {
    synchronized (lock) {
      return score.score(peer, System.nanoTime());
    }
  }

  public int seenCacheSize() {
    synchronized (lock) {
      return seen.size();
    }
  }

  public int messageCacheSize() {
    synchronized (lock) {
      return mcache.size();
    }
  }

  /** Waits until every queued RPC was written to its stream; false if {@code timeout} passed. */
  public boolean awaitFlushed(java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      boolean idle;
      synchronized (lock) {
        idle = peers.values().stream().allMatch(p -> p.pending.get() == 0);
      }
      if (idle) {
        return true;
      }
      Thread.sleep(10);
    }
    return false;
  }

  public int largestOutboundQueue() {
    synchronized (lock) {
      return peers.values().stream().mapToInt(p -> p.queue.size()).max().orElse(0);
    }
  }

  // ---- heartbeat ----

  private void graft(PeerId p, String topic) {
    score.grafted(p, topic, System.nanoTime());
    send(p, Rpc.ofControl(new Rpc.Control(List.of(), List.of(), List.of(topic), List.of())));
  }

  private boolean inBackoff(String topic, PeerId p, long now) {
    Long until = backoff.getOrDefault(topic, Map.of()).get(p);
    return until != null && until - now > 0;
  }

  private void fillMesh(String topic, Set<PeerId> m, int target, long now) {
    List<PeerId> candidates = new ArrayList<>();
    for (PeerId p : topicPeers.getOrDefault(topic, Set.of())) {
      if (!m.contains(p)
          && !directPeers.contains(p)
          && !inBackoff(topic, p, now)
          && score.score(p, now) >= 0) {
        candidates.add(p);
      }
    }
    Collections.shuffle(candidates);
    for (PeerId p : candidates) {
      if (m.size() >= target) {
        break;
      }
      m.add(p);
    }
  }

  private void fillFanout(String topic, Set<PeerId> f, long now) {
    List<PeerId> candidates = new ArrayList<>();
    for (PeerId p : topicPeers.getOrDefault(topic, Set.of())) {
      if (!f.contains(p) && score.score(p, now) >= config.score().publishThreshold()) {
        candidates.add(p);
      }
    }
    Collections.shuffle(candidates);
    for (PeerId p : candidates) {
      if (f.size() >= config.d()) {
        break;
      }
      f.add(p);
    }
  }

  private void heartbeatSafely() {
    try {
      heartbeat();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "gossipsub heartbeat failed: {0}", e.toString());
    }
  }

  void heartbeat() {
    long now = System.nanoTime();
    synchronized (lock) {
      ticks++;
      score.decay(now);
      for (PeerState st : peers.values()) {
        st.ihavesThisHeartbeat = 0;
        st.idsAskedThisHeartbeat = 0;
      }
      Iterator<Map.Entry<ByteBuffer, Promise>> pi = promises.entrySet().iterator();
      while (pi.hasNext()) {
        Promise p = pi.next().getValue();
        if (p.deadline - now < 0) {
          score.behaviourPenalty(p.peer, 1);
          pi.remove();
        }
      }
      backoff.values().forEach(b -> b.values().removeIf(until -> until - now < 0));
      backoff.values().removeIf(Map::isEmpty);
      Map<PeerId, List<String>> grafts = new HashMap<>();
      Map<PeerId, List<String>> prunes = new HashMap<>();
      for (Map.Entry<String, Set<PeerId>> e : mesh.entrySet()) {
        maintainMesh(e.getKey(), e.getValue(), now, grafts, prunes);
      }
      Iterator<Map.Entry<String, Set<PeerId>>> fi = fanout.entrySet().iterator();
      while (fi.hasNext()) {
        Map.Entry<String, Set<PeerId>> e = fi.next();
        Long last = fanoutLastPublished.get(e.getKey());
        if (last == null || now - last > config.fanoutTtl().toNanos()) {
          fi.remove();
          fanoutLastPublished.remove(e.getKey());
          continue;
        }
        Set<PeerId> tp = topicPeers.getOrDefault(e.getKey(), Set.of());
        e.getValue()
            .removeIf(
                p -> !tp.contains(p) || score.score(p, now) < config.score().publishThreshold());
        fillFanout(e.getKey(), e.getValue(), now);
      }
      Map<PeerId, List<Rpc.IHave>> gossip = new HashMap<>();
      Set<String> gossipTopics = new HashSet<>(mesh.keySet());
      gossipTopics.addAll(fanout.keySet());
      for (String topic : gossipTopics) {
        emitGossip(topic, now, gossip);
      }
      Set<PeerId> targets = new HashSet<>(grafts.keySet());
      targets.addAll(prunes.keySet());
      targets.addAll(gossip.keySet());
      for (PeerId p : targets) {
        PeerState st = peers.get(p);
        if (st == null) {
          continue;
        }
        List<Rpc.Prune> pr = new ArrayList<>();
        prunes.getOrDefault(p, List.of()).forEach(t -> pr.add(pruneFor(st, t, false)));
        send(
            st,
            Rpc.ofControl(
                new Rpc.Control(
                    gossip.getOrDefault(p, List.of()),
                    List.of(),
                    grafts.getOrDefault(p, List.of()),
                    pr)));
      }
      mcache.shift();
      seen.expire(now);
    }
  }

  private void maintainMesh(
      String topic,
      Set<PeerId> m,
      long now,
      Map<PeerId, List<String>> grafts,
      Map<PeerId, List<String>> prunes) {
    Map<PeerId, Double> scores = new HashMap<>();
    for (PeerId p : topicPeers.getOrDefault(topic, Set.of())) {
      scores.put(p, score.score(p, now));
    }
    for (Iterator<PeerId> it = m.iterator(); it.hasNext(); ) {
      PeerId p = it.next();
      if (scores.getOrDefault(p, 0.0) < 0 || !peers.containsKey(p)) {
        it.remove();
        score.pruned(p, topic);
        if (peers.containsKey(p)) {
          prunes.computeIfAbsent(p, x -> new ArrayList<>()).add(topic);
        }
      }
    }
    if (m.size() < config.dLo()) {
      Set<PeerId> before = new HashSet<>(m);
      fillMesh(topic, m, config.d(), now);
      for (PeerId p : m) {
        if (!before.contains(p)) {
          score.grafted(p, topic, now);
          grafts.computeIfAbsent(p, x -> new ArrayList<>()).add(topic);
        }
      }
    }
    if (m.size() > config.dHi()) {
      List<PeerId> sorted = new ArrayList<>(m);
      sorted.sort(Comparator.comparing((PeerId p) -> scores.getOrDefault(p, 0.0)).reversed());
      List<PeerId> keep = new ArrayList<>(sorted.subList(0, config.dScore()));
      List<PeerId> rest = new ArrayList<>(sorted.subList(config.dScore(), sorted.size()));
      Collections.shuffle(rest);
      for (PeerId p : rest) {
        if (keep.size() >= config.d()) {
          break;
        }
        keep.add(p);
      }
      long outbound = keep.stream().filter(this::isOutbound).count();
      for (PeerId p : rest) {
        if (outbound >= config.dOut()) {
          break;
        }
        if (!keep.contains(p) && isOutbound(p)) {
          for (int i = keep.size() - 1; i >= config.dScore(); i--) {
            if (!isOutbound(keep.get(i))) {
              keep.set(i, p);
              outbound++;
              break;
            }
          }
        }
      }
      for (PeerId p : sorted) {
        if (!keep.contains(p)) {
          m.remove(p);
          score.pruned(p, topic);
          prunes.computeIfAbsent(p, x -> new ArrayList<>()).add(topic);
        }
      }
    }
    if (m.size() >= config.dLo()) {
      long outbound = m.stream().filter(this::isOutbound).count();
      if (outbound < config.dOut()) {
        for (PeerId p : topicPeers.getOrDefault(topic, Set.of())) {
          if (outbound >= config.dOut()) {
            break;
          }
          if (!m.contains(p)
              && isOutbound(p)
              && !inBackoff(topic, p, now)
              && !directPeers.contains(p)
              && scores.getOrDefault(p, 0.0) >= 0) {
            m.add(p);
            score.grafted(p, topic, now);
            grafts.computeIfAbsent(p, x -> new ArrayList<>()).add(topic);
            outbound++;
          }
        }
      }
    }
    if (ticks % config.opportunisticGraftTicks() == 0 && m.size() > 1) {
      List<Double> ms = m.stream().map(p -> scores.getOrDefault(p, 0.0)).sorted().toList();
      double median = ms.get(ms.size() / 2);
      if (median < config.score().opportunisticGraftThreshold()) {
        int added = 0;
        for (PeerId p : topicPeers.getOrDefault(topic, Set.of())) {
          if (added >= config.opportunisticGraftPeers()) {
            break;
          }
          if (!m.contains(p)
              && !inBackoff(topic, p, now)
              && !directPeers.contains(p)
              && scores.getOrDefault(p, 0.0) > median) {
            m.add(p);
            score.grafted(p, topic, now);
            grafts.computeIfAbsent(p, x -> new ArrayList<>()).add(topic);
            added++;
          }
        }
      }
    }
  }

  private boolean isOutbound(PeerId p) {
    PeerState st = peers.get(p);
    return st != null && st.outboundConnection;
  }

  private void emitGossip(String topic, long now, Map<PeerId, List<Rpc.IHave>> out) {
    List<byte[]> ids = mcache.gossipIds(topic);
    if (ids.isEmpty()) {
      return;
    }
    Collections.shuffle(ids);
    if (ids.size() > config.maxIHaveLength()) {
      ids = ids.subList(0, config.maxIHaveLength());
    }
    Set<PeerId> exclude = new HashSet<>(mesh.getOrDefault(topic, Set.of()));
    exclude.addAll(fanout.getOrDefault(topic, Set.of()));
    List<PeerId> eligible = new ArrayList<>();
    for (PeerId p : topicPeers.getOrDefault(topic, Set.of())) {
      if (!exclude.contains(p)
          && !directPeers.contains(p)
          && score.score(p, now) >= config.score().gossipThreshold()) {
        eligible.add(p);
      }
    }
    int n = Math.max(config.dLazy(), (int) (config.gossipFactor() * eligible.size()));
    Collections.shuffle(eligible);
    Rpc.IHave ihave = new Rpc.IHave(topic, List.copyOf(ids));
    for (PeerId p : eligible.subList(0, Math.min(n, eligible.size()))) {
      out.computeIfAbsent(p, x -> new ArrayList<>()).add(ihave);
    }
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    host.removeStreamHandler(V11);
    host.removeStreamHandler(V10);
    synchronized (lock) {
      new ArrayList<>(peers.keySet()).forEach(this::dropPeerLocked);
    }
  }
}
