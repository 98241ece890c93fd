package dev.amalgam.protocol.kad;

import dev.amalgam.multiformats.Multihash;
import dev.amalgam.protocol.host.Connection;
import dev.amalgam.protocol.host.ConnectionListener;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.Stream;
import dev.amalgam.protocol.identify.IdentifyInfo;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.proto.LengthPrefixed;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Kademlia DHT (libp2p kad-dht) on a {@link Host}: routing table, iterative lookups, value records
 * with per-namespace validators, and provider records. In client mode it queries but does not serve
 * (nor advertise) the protocol.
 */
public final class KadDht implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(KadDht.class.getName());
  private static final int MAX_RANDOM_REFRESH_CPL = 15;

  private final Host host;
  private final KadConfig config;
  private final RoutingTable table;
  private final ProviderStore providers;
  private final RecordStore records;
  private final Set<ByteBuffer> provided = ConcurrentHashMap.newKeySet();
  private final PeerPenalties penalties = new PeerPenalties(3, java.time.Duration.ofMinutes(10));
  private final Map<PeerId, TokenBucket> inboundRates = new ConcurrentHashMap<>();
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());
  private final SecureRandom random = new SecureRandom();
  private volatile boolean closed;

  public KadDht(Host host, KadConfig config) {
    this.host = host;
    this.config = config;
    this.table = new RoutingTable(host.peerId(), config.k());
    this.providers =
        new ProviderStore(
            config.maxProviderKeys(), config.maxProvidersPerKey(), config.providerTtl());
    this.records = new RecordStore(config.maxRecords(), config.recordTtl());
  }

  public Host host() {
    return host;
  }

  public KadConfig config() {
    return config;
  }

  public RoutingTable routingTable() {
    return table;
  }

  public ProviderStore providerStore() {
    return providers;
  }

  public RecordStore recordStore() {
    return records;
  }

  public PeerPenalties penalties() {
    return penalties;
  }

  /** Serves the protocol (server mode), tracks peers that speak it, and starts the timers. */
  public KadDht start() {
    if (!config.clientMode()) {
      host.setStreamHandler(config.protocolId(), this::serve);
    }
    host.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void connected(Connection c) {
            watchIdentify(c);
          }

          @Override
          public void disconnected(Connection c) {
            inboundRates.remove(c.remotePeer());
          }
        });
    host.connections().forEach(this::watchIdentify);
    long refresh = config.refreshInterval().toMillis();
    timer.scheduleWithFixedDelay(() -> executor.execute(this::refresh), refresh, refresh, ms());
    long republish = config.republishInterval().toMillis();
    timer.scheduleWithFixedDelay(
        () -> executor.execute(this::republish), republish, republish, ms());
    long expire = Math.max(1000, Math.min(config.providerTtl().toMillis() / 4, 3_600_000));
    timer.scheduleWithFixedDelay(providers::expire, expire, expire, ms());
    return this;
  }

  private static TimeUnit ms() {
    return TimeUnit.MILLISECONDS;
  }

  private void watchIdentify(Connection c) {
    c.identified().thenAccept(info -> considerForTable(c.remotePeer(), info));
  }

  private void considerForTable(PeerId peer, IdentifyInfo info) {
    if (info.protocols().contains(config.protocolId()) && !penalties.isBanned(peer)) {
      table.add(peer);
    }
  }

  /** Dials the bootstrap peers, then fills the table with a refresh; returns peers reached. */
  public int bootstrap(List<Multiaddr> peers) throws InterruptedException {
    List<Future<Boolean>> dials = new ArrayList<>();
    for (Multiaddr a : peers) {
      dials.add(
          executor.submit(
              () -> {
                Connection c = host.dial(a);
                IdentifyInfo info =
                    c.identified().get(config.rpcTimeout().toMillis(), TimeUnit.MILLISECONDS);
                considerForTable(c.remotePeer(), info);
                return table.contains(c.remotePeer());
              }));
    }
    int reached = 0;
    for (int i = 0; i < dials.size(); i++) {
      try {
        if (dials.get(i).get()) {
          reached++;
        }
      } catch (ExecutionException e) {
        LOG.log(
            Level.WARNING,
            "bootstrap peer {0} unreachable: {1}",
            peers.get(i),
            e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getCause());
      }
    }
    refresh();
    return reached;
  }

  /** Looks up our own id and a random id in each non-empty bucket. */
  public void refresh() {
    if (closed) {
      return;
    }
    try {
      closestPeers(host.peerId().bytes());
      for (int cpl : table.nonEmptyBuckets()) {
        if (cpl <= MAX_RANDOM_REFRESH_CPL) {
          closestPeers(randomKeyWithPrefixLength(cpl));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "routing table refresh failed: {0}", e.getMessage());
    }
  }

  private byte[] randomKeyWithPrefixLength(int cpl) {
    byte[] key = new byte[32];
    while (true) {
      random.nextBytes(key);
      if (table.self().commonPrefixLength(KadId.of(key)) == cpl) {
        return key;
      }
    }
  }

  /** The k closest reachable peers to {@code key} (raw key bytes), nearest first. */
  public List<PeerId> closestPeers(byte[] key) throws InterruptedException {
    return lookup(KadMessage.Type.FIND_NODE, key, (p, m, h) -> false).closest();
  }

  /** Finds the addresses of a peer, asking the network if we are not connected. */
  public Optional<KadPeer> findPeer(PeerId peer) throws InterruptedException {
    if (!host.connections(peer).isEmpty()) {
      return Optional.of(new KadPeer(peer, host.peerstore().addresses(peer)));
    }
    AtomicReference<KadPeer> found = new AtomicReference<>();
    lookup(
        KadMessage.Type.FIND_NODE,
        peer.bytes(),
        (from, reply, hops) -> {
          for (KadPeer p : reply.closerPeers()) {
            if (p.id().equals(peer) && !p.addrs().isEmpty()) {
              found.set(p);
              return true;
            }
          }
          return false;
        });
    return Optional.ofNullable(found.get());
  }

  /** Announces that this node provides {@code key} (a multihash); returns peers told. */
  public int provide(byte[] key) throws InterruptedException {
    requireMultihash(key);
    provided.add(ByteBuffer.wrap(key.clone()));
    providers.add(key, host.peerId(), host.listenAddresses());
    return announce(key);
  }

  private int announce(byte[] key) throws InterruptedException {
    List<PeerId> closest = closestPeers(key);
    KadMessage msg =
        new KadMessage(
            KadMessage.Type.ADD_PROVIDER,
            key,
            null,
            List.of(),
            List.of(new KadPeer(host.peerId(), host.listenAddresses())));
    List<Future<KadMessage>> sends = new ArrayList<>();
    closest.forEach(p -> sends.add(executor.submit(() -> rpc(p, msg, false))));
    return countSuccesses(sends);
  }

  private static int countSuccesses(List<? extends Future<?>> futures) throws InterruptedException {
    int ok = 0;
    for (Future<?> f : futures) {
      try {
        f.get();
        ok++;
      } catch (ExecutionException e) {
        // an unreachable peer: already dropped from the table by rpc()
      }
    }
    return ok;
  }

  private void republish() {
    for (ByteBuffer k : provided) {
      byte[] key = new byte[k.remaining()];
      k.duplicate().get(key);
      try {
        providers.add(key, host.peerId(), host.listenAddresses());
        announce(key);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "republishing a provider record failed: {0}", e.getMessage());
      }
    }
  }

  /** Providers of {@code key}, local ones included; stops once {@code max} are known. */
  public List<KadPeer> findProviders(byte[] key, int max) throws InterruptedException {
    return findProvidersWithHops(key, max).providers();
  }

  /** Providers found and the hop count of the peer that first returned one (0 if local). */
  public record ProviderLookup(List<KadPeer> providers, int hops, int queried) {}

  public ProviderLookup findProvidersWithHops(byte[] key, int max) throws InterruptedException {
    requireMultihash(key);
    Map<PeerId, KadPeer> found = new java.util.LinkedHashMap<>();
    providers.get(key).forEach(p -> found.put(p.id(), p));
    if (found.size() >= max) {
      return new ProviderLookup(List.copyOf(found.values()).subList(0, max), 0, 0);
    }
    int[] firstHops = {0};
    Lookup.Result r =
        lookup(
            KadMessage.Type.GET_PROVIDERS,
            key,
            (from, reply, hops) -> {
              synchronized (found) {
                for (KadPeer p : reply.providerPeers()) {
                  if (!p.addrs().isEmpty()) {
                    host.peerstore().addAddresses(p.id(), p.addrs());
                  }
                  if (found.putIfAbsent(p.id(), p) == null && firstHops[0] == 0) {
                    firstHops[0] = hops;
                  }
                }
                return found.size() >= max;
              }
            });
    List<KadPeer> out = List.copyOf(found.values());
    return new ProviderLookup(
        out.size() > max ? out.subList(0, max) : out, firstHops[0], r.queried());
  }

  /** Validates and stores a record locally and at the k closest peers; returns peers stored at. */
  public int putValue(byte[] key, byte[] value) throws InterruptedException {
    config.validators().validate(key, value);
    KadRecord record = new KadRecord(key, value, Instant.now().toString());
    records.put(record);
    List<PeerId> closest = closestPeers(key);
    return storeAt(closest, record);
  }

  private int storeAt(List<PeerId> peers, KadRecord record) throws InterruptedException {
    KadMessage msg =
        new KadMessage(KadMessage.Type.PUT_VALUE, record.key(), record, List.of(), List.of());
    List<Future<KadMessage>> sends = new ArrayList<>();
    peers.forEach(p -> sends.add(executor.submit(() -> rpc(p, msg, true))));
    return countSuccesses(sends);
  }

  /**
   * Gets the best value for {@code key} among the local one and up to {@code quorum} valid answers;
   * peers that answered with an older value are sent the best one.
   */
  public Optional<byte[]> getValue(byte[] key, int quorum) throws InterruptedException {
    Validators validators = config.validators();
    Validators.namespaceOf(key);
    Map<PeerId, byte[]> answers = new ConcurrentHashMap<>();
    List<byte[]> values = new ArrayList<>();
    KadRecord local = records.get(key);
    if (local != null) {
      values.add(local.value());
    }
    lookup(
        KadMessage.Type.GET_VALUE,
        key,
        (from, reply, hops) -> {
          KadRecord r = reply.record();
          if (r == null) {
            return false;
          }
          try {
            if (!Arrays.equals(r.key(), key)) {
              throw new InvalidRecordException("record key differs from the requested key");
            }
            validators.validate(key, r.value());
          } catch (InvalidRecordException e) {
            penalize(from, "GET_VALUE reply: " + e.getMessage());
            return false;
          }
          synchronized (values) {
            answers.put(from, r.value());
            values.add(r.value());
            return answers.size() >= quorum;
          }
        });
    if (values.isEmpty()) {
      return Optional.empty();
    }
    byte[] best = values.get(validators.select(key, values));
    List<PeerId> stale = new ArrayList<>();
    answers.forEach(
        (p, v) -> {
          if (!Arrays.equals(v, best)) {
            stale.add(p);
          }
        });
    if (local == null || !Arrays.equals(local.value(), best)) {
      records.put(new KadRecord(key, best, Instant.now().toString()));
    }
    if (!stale.isEmpty()) {
      KadRecord fixed = new KadRecord(key, best, null);
      executor.execute(
          () -> {
            try {
              storeAt(stale, fixed);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }
    return Optional.of(best);
  }

  private Lookup.Result lookup(KadMessage.Type type, byte[] key, Lookup.Sink sink)
      throws InterruptedException {
    KadId target = KadId.of(key);
    List<PeerId> seeds =
        table.closest(target, config.k()).stream().filter(p -> !penalties.isBanned(p)).toList();
    KadMessage request = KadMessage.request(type, key);
    return new Lookup(target, host.peerId(), config.k(), config.alpha(), executor)
        .run(
            seeds,
            peer -> {
              KadMessage reply = rpc(peer, request, true);
              table.add(peer);
              return reply;
            },
            sink,
            p -> {
              if (!p.addrs().isEmpty() && !p.id().equals(host.peerId())) {
                host.peerstore().addAddresses(p.id(), p.addrs());
              }
            },
            table::remove,
            config.lookupTimeout());
  }

  /**
   * Sends one request on a new stream and reads one reply (unless {@code expectReply} is false),
   * all within the RPC timeout. A peer that fails is removed from the routing table.
   */
  KadMessage rpc(PeerId peer, KadMessage request, boolean expectReply) throws IOException {
    if (penalties.isBanned(peer)) {
      throw new IOException("peer " + peer + " is banned");
    }
    AtomicReference<Stream> open = new AtomicReference<>();
    Future<KadMessage> call =
        executor.submit(
            () -> {
              Stream s = host.newStream(peer, config.protocolId());
              open.set(s);
              boolean clean = false;
              try {
                LengthPrefixed.write(s.out(), request.encode());
                // js drops the request when the write side closes before it answered
                if (!expectReply) {
                  s.closeWrite();
                }
                KadMessage reply = null;
                if (expectReply) {
                  byte[] raw =
                      LengthPrefixed.read(
                          s.in(), config.maxMessageSize(), "kad reply from " + peer);
                  if (raw == null) {
                    throw new IOException(peer + " closed the stream without replying");
                  }
                  s.closeWrite();
                  reply = KadMessage.decode(raw);
                }
                clean = true;
                return reply;
              } finally {
                if (clean) {
                  closeAfterPeer(s);
                } else {
                  s.reset();
                }
              }
            });
    try {
      return call.get(config.rpcTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      Stream s = open.get();
      if (s != null) {
        s.reset();
      }
      table.remove(peer);
      throw new IOException(request.type() + " to " + peer + " timed out");
    } catch (ExecutionException e) {
      table.remove(peer);
      Throwable c = e.getCause();
      if (c instanceof IllegalArgumentException bad) {
        penalize(peer, "malformed reply: " + bad.getMessage());
      }
      throw c instanceof IOException io ? io : new IOException(c.getMessage(), c);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }

  /** Waits (off the caller's thread) for the peer to end its side, then closes cleanly. */
  private void closeAfterPeer(Stream s) {
    try {
      var guard = timer.schedule(s::reset, config.rpcTimeout().toMillis(), ms());
      executor.execute(
          () -> {
            try {
              while (s.in().read() >= 0) {
                // a well-behaved peer sends nothing more; drain until its FIN
              }
              s.close();
            } catch (IOException e) {
              s.reset();
            } finally {
              guard.cancel(false);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      s.reset();
    }
  }

  private void penalize(PeerId peer, String why) {
    LOG.log(Level.INFO, "kad: penalizing {0}: {1}", peer, why);
    penalties.strike(peer);
    table.remove(peer);
  }

  // ---- server side ----

  private void serve(Stream s) throws IOException {
    PeerId from = s.connection().remotePeer();
    if (penalties.isBanned(from)) {
      s.reset();
      return;
    }
    if (host.peerstore().protocols(from).contains(config.protocolId())) {
      table.add(from);
    }
    TokenBucket rate =
        inboundRates.computeIfAbsent(
            from,
            p ->
                new TokenBucket(
                    config.requestsPerSecondPerPeer(), 2.0 * config.requestsPerSecondPerPeer()));
    while (true) {
      byte[] raw = LengthPrefixed.read(s.in(), config.maxMessageSize(), "kad request from " + from);
      if (raw == null) {
        return;
      }
      if (!rate.tryTake()) {
        throw new IOException(
            "kad: "
                + from
                + " exceeds "
                + config.requestsPerSecondPerPeer()
                + " requests per second; dropping its stream");
      }
      KadMessage reply;
      try {
        reply = handle(from, KadMessage.decode(raw));
      } catch (IllegalArgumentException e) {
        penalize(from, e.getMessage());
        throw e;
      }
      if (reply != null) {
        LengthPrefixed.write(s.out(), reply.encode());
      }
    }
  }

  private KadMessage handle(PeerId from, KadMessage req) {
    byte[] key = req.key();
    if (key == null && req.type() != KadMessage.Type.PING) {
      throw new IllegalArgumentException("kad " + req.type() + ": missing field key (2)");
    }
    return switch (req.type()) {
      case FIND_NODE -> reply(req.type(), key, null, closerPeers(key, from), List.of());
      case GET_VALUE -> reply(req.type(), key, records.get(key), closerPeers(key, from), List.of());
      case PUT_VALUE -> {
        storeFromPeer(req);
        yield req;
      }
      case GET_PROVIDERS -> {
        requireMultihash(key);
        yield reply(req.type(), key, null, closerPeers(key, from), providerPeersFor(key));
      }
      case ADD_PROVIDER -> {
        requireMultihash(key);
        addProvidersFrom(from, key, req.providerPeers());
        yield null;
      }
      case PING -> reply(req.type(), key, null, List.of(), List.of());
    };
  }

  private static KadMessage reply(
      KadMessage.Type type,
      byte[] key,
      KadRecord record,
      List<KadPeer> closer,
      List<KadPeer> providerPeers) {
    return new KadMessage(type, key, record, closer, providerPeers);
  }

  private void storeFromPeer(KadMessage req) {
    KadRecord r = req.record();
    if (r == null) {
      throw new InvalidRecordException("PUT_VALUE: missing field record (3)");
    }
    if (!Arrays.equals(r.key(), req.key())) {
      throw new InvalidRecordException("PUT_VALUE: record key differs from message key");
    }
    config.validators().validate(r.key(), r.value());
    KadRecord existing = records.get(r.key());
    if (existing != null
        && !Arrays.equals(existing.value(), r.value())
        && config.validators().select(r.key(), List.of(existing.value(), r.value())) == 0) {
      return;
    }
    records.put(new KadRecord(r.key(), r.value(), Instant.now().toString()));
  }

  private void addProvidersFrom(PeerId from, byte[] key, List<KadPeer> claimed) {
    for (KadPeer p : claimed) {
      if (!p.id().equals(from)) {
        throw new IllegalArgumentException(
            "ADD_PROVIDER: " + from + " claimed provider " + p.id() + ", which is not itself");
      }
      List<Multiaddr> addrs = p.addrs().isEmpty() ? host.peerstore().addresses(from) : p.addrs();
      providers.add(key, from, addrs);
      if (!p.addrs().isEmpty()) {
        host.peerstore().addAddresses(from, p.addrs());
      }
    }
  }

  private List<KadPeer> providerPeersFor(byte[] key) {
    List<KadPeer> out = new ArrayList<>();
    for (KadPeer p : providers.get(key)) {
      List<Multiaddr> addrs =
          p.id().equals(host.peerId())
              ? host.listenAddresses()
              : p.addrs().isEmpty() ? host.peerstore().addresses(p.id()) : p.addrs();
      if (!addrs.isEmpty()) {
        out.add(new KadPeer(p.id(), addrs.stream().limit(KadMessage.MAX_ADDRS).toList()));
      }
    }
    return out.stream().limit(KadMessage.MAX_PEERS).toList();
  }

  private List<KadPeer> closerPeers(byte[] key, PeerId requester) {
    List<KadPeer> out = new ArrayList<>();
    for (PeerId p : table.closest(KadId.of(key), config.k() + 1)) {
      if (p.equals(requester) || out.size() >= config.k()) {
        continue;
      }
      List<Multiaddr> addrs = host.peerstore().addresses(p);
      if (!addrs.isEmpty()) {
        out.add(new KadPeer(p, addrs.stream().limit(KadMessage.MAX_ADDRS).toList()));
      }
    }
    return out;
  }

  private static void requireMultihash(byte[] key) {
    try {
      Multihash.decode(key);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("provider key is not a multihash: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    executor.shutdownNow();
    if (!config.clientMode()) {
      host.removeStreamHandler(config.protocolId());
    }
  }
}
