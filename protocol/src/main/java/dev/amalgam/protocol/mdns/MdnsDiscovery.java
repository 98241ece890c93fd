package dev.amalgam.protocol.mdns;

import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * libp2p mDNS peer discovery (libp2p specs, discovery/mdns.md): queries {@code _p2p._udp.local PTR}
 * on 224.0.0.251:5353, answers such queries with a PTR to a random peer name and a TXT record of
 * {@code dnsaddr=<multiaddr>/p2p/<id>} entries, and reports the peers other answers describe.
 *
 * <p>It sends on the interfaces it is given (by default every up, multicast-capable interface that
 * is not loopback); nothing is sent before {@link #start()}.
 */
public final class MdnsDiscovery implements AutoCloseable {
  public static final String SERVICE = "_p2p._udp.local";
  static final String META_QUERY = "_services._dns-sd._udp.local";
  private static final InetSocketAddress GROUP =
      new InetSocketAddress(ipv4(new byte[] {(byte) 224, 0, 0, (byte) 251}), 5353);
  private static final Logger LOG = System.getLogger(MdnsDiscovery.class.getName());
  private static final long TTL_SECONDS = 120;
  private static final Duration MIN_ANSWER_INTERVAL = Duration.ofMillis(500);

  /** A peer some answer described, with the addresses it gave. */
  public record Found(PeerId peer, List<Multiaddr> addresses) {}

  private final PeerId self;
  private final Supplier<List<Multiaddr>> addresses;
  private final Consumer<Found> onPeer;
  private final Duration queryInterval;
  private final List<NetworkInterface> interfaces;
  private final String peerName = randomPeerName();
  private final List<NetworkInterface> joined = new ArrayList<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("mdns-query").factory());
  private DatagramChannel channel;
  private Thread receiver;
  private long lastAnswerNanos;
  private long malformed;

  public MdnsDiscovery(
      PeerId self,
      Supplier<List<Multiaddr>> addresses,
      Consumer<Found> onPeer,
      Duration queryInterval,
      List<NetworkInterface> interfaces) {
    this.self = self;
    this.addresses = addresses;
    this.onPeer = onPeer;
    this.queryInterval = queryInterval;
    this.interfaces = List.copyOf(interfaces);
  }

  /** Every interface that is up, multicast-capable, not loopback and has an IPv4 address. */
  public static List<NetworkInterface> defaultInterfaces() throws SocketException {
    List<NetworkInterface> out = new ArrayList<>();
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (ni.isUp()
          && ni.supportsMulticast()
          && !ni.isLoopback()
          && ni.inetAddresses().anyMatch(a -> a instanceof Inet4Address)) {
        out.add(ni);
      }
    }
    return out;
  }

  public synchronized MdnsDiscovery start() throws IOException {
    if (interfaces.isEmpty()) {
      throw new IOException("mDNS: no multicast-capable network interface to use");
    }
    DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
    try {
      ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 255);
      ch.bind(new InetSocketAddress(GROUP.getPort()));
    } catch (IOException e) {
      ch.close();
      throw new IOException("mDNS: cannot use UDP port " + GROUP.getPort() + ": " + e.getMessage());
    }
    for (NetworkInterface ni : interfaces) {
      try {
        ch.join(GROUP.getAddress(), ni);
        joined.add(ni);
      } catch (IOException e) {
        LOG.log(Level.INFO, "mDNS: interface {0} cannot join the group: {1}", ni, e.getMessage());
      }
    }
    if (joined.isEmpty()) {
      ch.close();
      throw new IOException("mDNS: no interface could join " + GROUP.getAddress().getHostAddress());
    }
    channel = ch;
    receiver = Thread.ofVirtual().name("mdns-receive").start(this::receiveLoop);
    timer.scheduleWithFixedDelay(
        this::querySafely, 0, queryInterval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** The random instance name this node answers as (before {@code ._p2p._udp.local}). */
  public String peerName() {
    return peerName;
  }

  /** The IPv4 addresses of the default interfaces: what {@code 0.0.0.0} stands for. */
  public static List<InetAddress> interfaceAddresses() throws SocketException {
    List<InetAddress> out = new ArrayList<>();
    for (NetworkInterface ni : defaultInterfaces()) {
      ni.inetAddresses().filter(a -> a instanceof Inet4Address).forEach(out::add);
    }
    return out;
  }

  /** Sends one query now (also done every query interval). */
  public void query() throws IOException {
    send(DnsMessage.query(new DnsQuestion(SERVICE, DnsRecord.TYPE_PTR)).encode());
  }

  long malformedPackets() {
    return malformed;
  }

  private void querySafely() {
    try {
      query();
    } catch (IOException e) {
      LOG.log(Level.INFO, "mDNS query failed: {0}", e.getMessage());
    }
  }

  private synchronized void send(byte[] packet) throws IOException {
    if (channel == null || !channel.isOpen()) {
      return;
    }
    for (NetworkInterface ni : joined) {
      channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, ni);
      channel.send(ByteBuffer.wrap(packet), GROUP);
    }
  }

  private void receiveLoop() {
    ByteBuffer buf = ByteBuffer.allocate(DnsCodec.MAX_PACKET);
    while (true) {
      buf.clear();
      try {
        if (channel.receive(buf) == null) {
          continue;
        }
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        LOG.log(Level.INFO, "mDNS receive failed: {0}", e.getMessage());
        return;
      }
      DnsMessage m;
      try {
        m = DnsMessage.decode(buf.array(), buf.position());
      } catch (IllegalArgumentException e) {
        // Malformed packets are expected on a shared LAN: count them, log the first few.
        if (malformed++ < 5) {
          LOG.log(Level.INFO, "mDNS: ignoring malformed packet: {0}", e.getMessage());
        }
        continue;
      }
      try {
        if (m.response()) {
          handleResponse(m);
        } else {
          handleQuery(m);
        }
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.INFO, "mDNS: could not handle a packet: {0}", e.toString());
      }
    }
  }

  private void handleQuery(DnsMessage m) throws IOException {
    boolean forPeers = m.questions().stream().anyMatch(q -> q.asks(SERVICE, DnsRecord.TYPE_PTR));
    boolean meta = m.questions().stream().anyMatch(q -> q.asks(META_QUERY, DnsRecord.TYPE_PTR));
    if (!forPeers && !meta) {
      return;
    }
    long now = System.nanoTime();
    synchronized (this) {
      if (now - lastAnswerNanos < MIN_ANSWER_INTERVAL.toNanos()) {
        return;
      }
      lastAnswerNanos = now;
    }
    if (meta && !forPeers) {
      send(
          DnsMessage.response(
                  List.of(new DnsRecord.Ptr(META_QUERY, TTL_SECONDS, SERVICE)), List.of())
              .encode());
      return;
    }
    send(answer().encode());
  }

  DnsMessage answer() {
    String instance = peerName + "." + SERVICE;
    List<String> txt = new ArrayList<>();
    for (Multiaddr a : advertisedAddresses()) {
      txt.add("dnsaddr=" + a.withPeerId(self));
    }
    return DnsMessage.response(
        List.of(new DnsRecord.Ptr(SERVICE, TTL_SECONDS, instance)),
        List.of(new DnsRecord.Txt(instance, TTL_SECONDS, txt)));
  }

  /** Listen addresses, with unspecified ones (0.0.0.0) replaced by the interfaces' addresses. */
  private List<Multiaddr> advertisedAddresses() {
    List<Multiaddr> out = new ArrayList<>();
    for (Multiaddr a : addresses.get()) {
      if (a.toString().startsWith("/ip4/0.0.0.0/")) {
        String rest = a.toString().substring("/ip4/0.0.0.0".length());
        for (NetworkInterface ni : joined) {
          ni.inetAddresses()
              .filter(ip -> ip instanceof Inet4Address)
              .forEach(ip -> out.add(Multiaddr.parse("/ip4/" + ip.getHostAddress() + rest)));
        }
      } else if (!a.toString().startsWith("/ip4/127.") && !a.toString().startsWith("/ip6/::1/")) {
        out.add(a);
      }
    }
    return out;
  }

  private void handleResponse(DnsMessage m) {
    List<String> instances = new ArrayList<>();
    for (DnsRecord r : m.answers()) {
      if (r instanceof DnsRecord.Ptr p && p.name().equalsIgnoreCase(SERVICE)) {
        instances.add(p.target());
      }
    }
    if (instances.isEmpty()) {
      return;
    }
    Map<PeerId, List<Multiaddr>> found = new LinkedHashMap<>();
    List<DnsRecord> all = new ArrayList<>(m.answers());
    all.addAll(m.additionals());
    for (DnsRecord r : all) {
      if (!(r instanceof DnsRecord.Txt t)
          || instances.stream().noneMatch(i -> i.equalsIgnoreCase(t.name()))) {
        continue;
      }
      for (String s : t.strings()) {
        if (!s.startsWith("dnsaddr=")) {
          continue;
        }
        try {
          Multiaddr a = Multiaddr.parse(s.substring("dnsaddr=".length()));
          PeerId peer = a.peerId().orElse(null);
          if (peer != null && !peer.equals(self)) {
            found.computeIfAbsent(peer, p -> new ArrayList<>()).add(a);
          }
        } catch (IllegalArgumentException e) {
          LOG.log(Level.DEBUG, "mDNS: ignoring bad dnsaddr ''{0}'': {1}", s, e.getMessage());
        }
      }
    }
    found.forEach((peer, addrs) -> onPeer.accept(new Found(peer, List.copyOf(addrs))));
  }

  @Override
  public synchronized void close() {
    timer.shutdownNow();
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "mDNS close: {0}", e.getMessage());
      }
    }
    if (receiver != null) {
      receiver.interrupt();
    }
  }

  private static String randomPeerName() {
    SecureRandom rnd = new SecureRandom();
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    int n = 32 + rnd.nextInt(32);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private static InetAddress ipv4(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
