package dev.amalgam.protocol.host;

import dev.amalgam.protocol.identify.Identify;
import dev.amalgam.protocol.identify.IdentifyInfo;
import dev.amalgam.protocol.mss.Multistream;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.multiaddr.Protocol;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.ping.Ping;
import dev.amalgam.protocol.record.PeerRecord;
import dev.amalgam.protocol.transport.TcpTransport;
import dev.amalgam.protocol.yamux.YamuxSession;
import dev.amalgam.protocol.yamux.YamuxStream;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A libp2p host on Netty: TCP, multistream-select, Noise XX, yamux, identify (+push) and ping.
 * Inbound streams are served on virtual threads with blocking streams.
 */
public final class Host implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Host.class.getName());

  private final HostConfig config;
  private final PeerId peerId;
  private final TcpTransport transport;
  private final EventLoopGroup group;
  private final ExecutorService streamThreads = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, StreamHandler> handlers = new ConcurrentSkipListMap<>();
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final Map<PeerId, CompletableFuture<Connection>> pendingDials = new ConcurrentHashMap<>();
  private final AtomicInteger upgrading = new AtomicInteger();
  private final List<Channel> listeners = new CopyOnWriteArrayList<>();
  private final List<Multiaddr> listenAddresses = new CopyOnWriteArrayList<>();
  private final List<ConnectionListener> connectionListeners = new CopyOnWriteArrayList<>();
  private final Peerstore peerstore = new Peerstore();
  private final ConnectionUpgrader upgrader;
  private volatile boolean closed;
  private long peerRecordSeq;
  private byte[] signedRecord;
  private List<Multiaddr> signedRecordAddrs = List.of();

  public Host(HostConfig config) {
    this.config = config;
    this.peerId = PeerId.fromPublicKey(config.identity().publicKey());
    this.transport = new TcpTransport(config.preferEpoll());
    this.group =
        transport.newEventLoopGroup(
            config.eventLoopThreads(), "libp2p-" + peerId.toBase58().substring(46));
    this.upgrader = new ConnectionUpgrader(this, upgrading);
    handlers.put(Ping.PROTOCOL_ID, Ping::serve);
    handlers.put(Identify.PROTOCOL_ID, s -> Identify.answer(this, s));
    handlers.put(Identify.PUSH_PROTOCOL_ID, s -> Identify.receivePush(this, s));
  }

  public HostConfig config() {
    return config;
  }

  public PeerId peerId() {
    return peerId;
  }

  public Peerstore peerstore() {
    return peerstore;
  }

  public boolean usesEpoll() {
    return transport.usesEpoll();
  }

  public List<Multiaddr> listenAddresses() {
    return List.copyOf(listenAddresses);
  }

  public List<Connection> connections() {
    return List.copyOf(connections);
  }

  public List<Connection> connections(PeerId peer) {
    return connections.stream().filter(c -> c.remotePeer().equals(peer) && c.isOpen()).toList();
  }

  /** Connections accepted or dialed whose security/muxer upgrade has not finished yet. */
  public int upgradingCount() {
    return upgrading.get();
  }

  public List<String> protocols() {
    return List.copyOf(handlers.keySet());
  }

  public void addConnectionListener(ConnectionListener l) {
    connectionListeners.add(l);
  }

  /** Registers a handler and pushes the new protocol list to connected peers. */
  public void setStreamHandler(String protocol, StreamHandler handler) {
    handlers.put(protocol, handler);
    pushIdentifyToAll();
  }

  public void removeStreamHandler(String protocol) {
    if (handlers.remove(protocol) != null) {
      pushIdentifyToAll();
    }
  }

  /** Listens on a TCP multiaddr (port 0 picks a free port); returns the bound address. */
  public Multiaddr listen(Multiaddr address) throws IOException {
    InetSocketAddress bind = address.toTcpSocketAddress();
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (closed || connections.size() + upgrading.get() >= config.maxConnections()) {
                      LOG.log(
                          Level.INFO,
                          "refusing connection from {0}: limit of {1} connections reached",
                          ch.remoteAddress(),
                          config.maxConnections());
                      ch.close();
                      return;
                    }
                    upgrader.upgrade(ch, false, null, new CompletableFuture<>());
                  }
                });
    ChannelFuture f = b.bind(bind).awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new IOException(
          "cannot listen on " + address + ": " + f.cause().getMessage(), f.cause());
    }
    listeners.add(f.channel());
    Multiaddr bound = Multiaddr.tcp((InetSocketAddress) f.channel().localAddress());
    listenAddresses.add(bound);
    return bound;
  }

  /** Dials a {@code /ip4|ip6|dns…/tcp/…[/p2p/ID]} address; reuses an open connection to ID. */
  public Connection dial(Multiaddr address) throws IOException {
    PeerId expected = address.peerId().orElse(null);
    if (expected == null) {
      return await(startDial(address, null), address.toString());
    }
    peerstore.addAddresses(expected, List.of(address));
    return dialPeer(expected, List.of(address.decapsulate(Protocol.P2P)));
  }

  /** Dials a peer at the addresses the peerstore knows, reusing an open connection. */
  public Connection dial(PeerId peer) throws IOException {
    List<Multiaddr> addrs = peerstore.addresses(peer);
    List<Connection> open = connections(peer);
    if (!open.isEmpty()) {
      return open.get(0);
    }
    if (addrs.isEmpty()) {
      throw new IOException("no known addresses for peer " + peer);
    }
    return dialPeer(peer, addrs);
  }

  /** Dials if needed, then opens a stream for the first protocol the peer accepts. */
  public Stream newStream(PeerId peer, String... protocols) throws IOException {
    return dial(peer).newStream(protocols);
  }

  private Connection dialPeer(PeerId peer, List<Multiaddr> addrs) throws IOException {
    List<Connection> open = connections(peer);
    if (!open.isEmpty()) {
      return open.get(0);
    }
    CompletableFuture<Connection> mine = new CompletableFuture<>();
    CompletableFuture<Connection> pending = pendingDials.putIfAbsent(peer, mine);
    if (pending != null) {
      return await(pending, peer.toString());
    }
    try {
      IOException last = null;
      for (Multiaddr a : addrs) {
        try {
          Connection c = await(startDial(a, peer), a + "/p2p/" + peer);
          mine.complete(c);
          return c;
        } catch (IOException e) {
          last = e;
        }
      }
      mine.completeExceptionally(last);
      throw last;
    } finally {
      pendingDials.remove(peer, mine);
    }
  }

  private CompletableFuture<Connection> startDial(Multiaddr address, PeerId expected) {
    CompletableFuture<Connection> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(new IOException("host is closed"));
      return result;
    }
    InetSocketAddress target;
    try {
      target = address.toTcpSocketAddress();
    } catch (IllegalArgumentException e) {
      result.completeExceptionally(new IOException(e.getMessage()));
      return result;
    }
    new Bootstrap()
        .group(group)
        .channel(transport.socketChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.upgradeTimeout().toMillis())
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                upgrader.upgrade(ch, true, expected, result);
              }
            })
        .connect(target)
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                result.completeExceptionally(
                    new IOException(
                        "cannot connect to " + address + ": " + connectFailure(f.cause()),
                        f.cause()));
              }
            });
    return result;
  }

  private static String connectFailure(Throwable cause) {
    if (cause instanceof io.netty.channel.ConnectTimeoutException) {
      return "connect timed out";
    }
    if (cause instanceof java.net.ConnectException) {
      return "connection refused";
    }
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }

  private Connection await(CompletableFuture<Connection> f, String what) throws IOException {
    try {
      return f.get(config.upgradeTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof IOException io
          ? io
          : new IOException("dial " + what + ": " + c.getMessage(), c);
    } catch (TimeoutException e) {
      throw new IOException("dial " + what + ": timed out");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("dial " + what + ": interrupted");
    }
  }

  /** Bookkeeping once a connection is secured and multiplexed: limits, events, identify. */
  void established(
      Channel ch, Connection conn, YamuxSession session, CompletableFuture<Connection> result) {
    List<Connection> existing = connections(conn.remotePeer());
    if (existing.size() >= config.maxConnectionsPerPeer()) {
      // Both sides dialing at once (e.g. after mDNS) can fill the per-peer limit: a dialer then
      // gets one of the connections already open rather than an error.
      Connection open = existing.get(0);
      if (open.channel().isActive()) {
        session.close();
        result.complete(open);
        return;
      }
      LOG.log(
          Level.INFO,
          "closing new connection to {0}: limit of {1} per peer reached",
          conn.remotePeer(),
          config.maxConnectionsPerPeer());
      result.completeExceptionally(
          new IOException(
              "connection limit of "
                  + config.maxConnectionsPerPeer()
                  + " per peer reached for "
                  + conn.remotePeer()));
      session.close();
      return;
    }
    if (!result.complete(conn)) {
      ch.close();
      return;
    }
    connections.add(conn);
    peerstore.setPublicKey(conn.remotePeer(), conn.remotePublicKey());
    ch.closeFuture()
        .addListener(
            f -> {
              connections.remove(conn);
              conn.identified().completeExceptionally(new IOException("connection closed"));
              connectionListeners.forEach(l -> l.disconnected(conn));
            });
    connectionListeners.forEach(l -> l.connected(conn));
    streamThreads.execute(() -> identifyOnConnect(conn));
  }

  private void identifyOnConnect(Connection conn) {
    try {
      conn.identified().complete(Identify.ask(this, conn));
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "identify with {0} failed: {1}", conn.remotePeer(), e.getMessage());
      conn.identified().completeExceptionally(e);
    }
  }

  void serveInbound(Connection conn, YamuxStream s) {
    if (closed) {
      s.reset();
      return;
    }
    streamThreads.execute(
        () -> {
          var timeout =
              conn.channel()
                  .eventLoop()
                  .schedule(
                      s::reset, config.negotiationTimeout().toMillis(), TimeUnit.MILLISECONDS);
          String protocol;
          try {
            protocol = Multistream.handle(s.in(), s.out(), handlers::containsKey).orElse(null);
          } catch (IOException | RuntimeException e) {
            LOG.log(
                Level.INFO,
                "stream {0} from {1}: negotiation failed: {2}",
                s.id(),
                conn.remotePeer(),
                e.getMessage());
            s.reset();
            return;
          } finally {
            timeout.cancel(false);
          }
          if (protocol == null) {
            LOG.log(
                Level.INFO,
                "stream {0} from {1}: closed without agreeing on a protocol",
                s.id(),
                conn.remotePeer());
            s.close();
            return;
          }
          StreamHandler h = handlers.get(protocol);
          try {
            h.handle(new Stream(s, protocol, conn));
            s.closeWrite();
            // give the peer time to read and close its side, then drop whatever is left
            conn.channel()
                .eventLoop()
                .schedule(s::reset, config.negotiationTimeout().toMillis(), TimeUnit.MILLISECONDS);
          } catch (Exception e) {
            LOG.log(
                Level.INFO,
                "stream {0} {1} from {2}: {3}",
                s.id(),
                protocol,
                conn.remotePeer(),
                e.getMessage());
            s.reset();
          }
        });
  }

  /** Our identify record as sent to the peer of {@code conn}, with a signed peer record. */
  public IdentifyInfo identifyRecord(Connection conn) {
    List<Multiaddr> addrs = listenAddresses();
    return new IdentifyInfo(
        config.identity().publicKey(),
        addrs,
        protocols(),
        conn.remoteAddress(),
        IdentifyInfo.PROTOCOL_VERSION,
        config.agentVersion(),
        signedPeerRecord(addrs));
  }

  private synchronized byte[] signedPeerRecord(List<Multiaddr> addrs) {
    if (signedRecord == null || !signedRecordAddrs.equals(addrs)) {
      peerRecordSeq = Math.max(peerRecordSeq + 1, System.currentTimeMillis());
      signedRecord = new PeerRecord(peerId, peerRecordSeq, addrs).seal(config.identity()).encode();
      signedRecordAddrs = addrs;
    }
    return signedRecord;
  }

  /** Stores what a peer told us about itself; rejects a key that is not the peer's. */
  public void recordIdentify(Connection conn, IdentifyInfo info) {
    PeerId peer = conn.remotePeer();
    if (info.publicKey() != null && !peer.matches(info.publicKey())) {
      throw new IllegalArgumentException(
          "identify from " + peer + " carries another peer's public key");
    }
    if (!info.listenAddrs().isEmpty()) {
      peerstore.addAddresses(peer, info.listenAddrs());
    }
    if (info.signedPeerRecord() != null) {
      try {
        PeerRecord rec = PeerRecord.open(info.signedPeerRecord());
        if (!rec.peerId().equals(peer)) {
          throw new IllegalArgumentException("it is the record of " + rec.peerId());
        }
        peerstore.setCertifiedRecord(peer, rec, info.signedPeerRecord());
      } catch (IllegalArgumentException e) {
        LOG.log(Level.INFO, "ignoring signed peer record from {0}: {1}", peer, e.getMessage());
      }
    }
    if (!info.protocols().isEmpty()) {
      peerstore.setProtocols(peer, info.protocols());
    }
    if (info.agentVersion() != null) {
      peerstore.setAgentVersion(peer, info.agentVersion());
    }
  }

  private void pushIdentifyToAll() {
    for (Connection c : connections) {
      if (peerstore.protocols(c.remotePeer()).contains(Identify.PUSH_PROTOCOL_ID)) {
        streamThreads.execute(() -> Identify.push(this, c));
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Channel l : listeners) {
      l.close().awaitUninterruptibly();
    }
    for (Connection c : new ArrayList<>(connections)) {
      c.channel().close();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    streamThreads.shutdownNow();
  }
}
