package dev.amalgam.bootstrap.mdns;

import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * libp2p mDNS discovery (IPv4): queries {@code _p2p._udp.local} PTR on 224.0.0.251:5353, answers
 * such queries with a PTR to this peer's random name and TXT records {@code dnsaddr=<multiaddr>}
 * (one per address, each ending in {@code /p2p/<id>}), and reports the peers other answers name.
 * Works on every up, multicast-capable, non-loopback IPv4 interface.
 */
public final class MdnsDiscovery implements AutoCloseable {
  public static final String SERVICE = "_p2p._udp.local";
  static final InetAddress GROUP = address("224.0.0.251");
  static final int PORT = 5353;
  private static final long TTL_SECONDS = 120;
  private static final String NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  private final PeerId self;
  private final Supplier<List<Multiaddr>> addresses;
  private final BiConsumer<PeerId, List<Multiaddr>> onPeer;
  private final String peerName;
  private final DatagramChannel channel;
  private final List<NetworkInterface> interfaces;
  private final Thread receiver;
  private final Thread querier;
  private final Duration interval;
  private volatile boolean closed;

  private MdnsDiscovery(
      PeerId self,
      Supplier<List<Multiaddr>> addresses,
      BiConsumer<PeerId, List<Multiaddr>> onPeer,
      DatagramChannel channel,
      List<NetworkInterface> interfaces,
      Duration interval) {
    this.self = self;
    this.addresses = addresses;
    this.onPeer = onPeer;
    this.channel = channel;
    this.interfaces = interfaces;
    this.interval = interval;
    this.peerName = randomName();
    this.receiver =
        Thread.ofPlatform().daemon().name("amalgam-mdns-receive").unstarted(this::receive);
    this.querier = Thread.ofPlatform().daemon().name("amalgam-mdns-query").unstarted(this::query);
  }

  /**
   * Starts answering and querying every {@code interval}; {@code onPeer} gets each peer found (not
   * this one) with its addresses, on every answer heard.
   *
   * @throws IOException when no interface can join the group or port 5353 cannot be bound
   */
  public static MdnsDiscovery start(
      PeerId self,
      Supplier<List<Multiaddr>> addresses,
      BiConsumer<PeerId, List<Multiaddr>> onPeer,
      Duration interval)
      throws IOException {
    List<NetworkInterface> ifaces = new ArrayList<>();
    for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (i.isUp()
          && i.supportsMulticast()
          && !i.isLoopback()
          && i.inetAddresses().anyMatch(a -> a instanceof Inet4Address)) {
        ifaces.add(i);
      }
    }
    if (ifaces.isEmpty()) {
      throw new IOException("mDNS: no up, multicast-capable IPv4 interface");
    }
    DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
    try {
      ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 255);
      ch.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
      ch.bind(new InetSocketAddress(PORT));
      List<NetworkInterface> joined = new ArrayList<>();
      for (NetworkInterface i : ifaces) {
        try {
          ch.join(GROUP, i);
          joined.add(i);
        } catch (IOException e) {
          // an interface that refuses the group is skipped
        }
      }
      if (joined.isEmpty()) {
        throw new IOException("mDNS: no interface could join " + GROUP.getHostAddress());
      }
      MdnsDiscovery d = new MdnsDiscovery(self, addresses, onPeer, ch, joined, interval);
      d.receiver.start();
      d.querier.start();
      return d;
    } catch (IOException e) {
      ch.close();
      throw new IOException("mDNS: cannot use UDP port " + PORT + ": " + e.getMessage(), e);
    }
  }

  public String peerName() {
    return peerName;
  }

  private static String randomName() {
    SecureRandom r = new SecureRandom();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 32; i++) {
      b.append(NAME_ALPHABET.charAt(r.nextInt(NAME_ALPHABET.length())));
    }
    return b.toString();
  }

  private void query() {
    byte[] q =
        new DnsMessage(
                0,
                0,
                List.of(new DnsMessage.Question(SERVICE, DnsMessage.TYPE_PTR)),
                List.of(),
                List.of())
            .encode();
    while (!closed) {
      send(q);
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void receive() {
    ByteBuffer buf = ByteBuffer.allocate(9000);
    while (!closed) {
      try {
        buf.clear();
        channel.receive(buf);
        buf.flip();
        byte[] data = new byte[buf.remaining()];
        buf.get(data);
        handle(DnsMessage.decode(data));
      } catch (IllegalArgumentException e) {
        // a malformed or foreign datagram on a shared port: not ours to report
      } catch (IOException e) {
        if (!closed) {
          try {
            Thread.sleep(100);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }
  }

  private void handle(DnsMessage m) {
    if (!m.isResponse()) {
      if (m.questions().stream()
          .anyMatch(q -> q.name().equalsIgnoreCase(SERVICE) && q.type() == DnsMessage.TYPE_PTR)) {
        send(answer());
      }
      return;
    }
    Map<PeerId, List<Multiaddr>> found = peersIn(m, self);
    found.forEach(onPeer);
  }

  /** The peers (other than {@code self}) a response names, with their addresses. */
  static Map<PeerId, List<Multiaddr>> peersIn(DnsMessage m, PeerId self) {
    Map<PeerId, List<Multiaddr>> found = new LinkedHashMap<>();
    List<DnsMessage.Record> all = m.allRecords();
    for (DnsMessage.Record ptr : all) {
      if (ptr.type() != DnsMessage.TYPE_PTR || !ptr.name().equalsIgnoreCase(SERVICE)) {
        continue;
      }
      for (DnsMessage.Record txt : all) {
        if (txt.type() != DnsMessage.TYPE_TXT || !txt.name().equalsIgnoreCase(ptr.target())) {
          continue;
        }
        for (String s : txt.strings()) {
          if (!s.startsWith("dnsaddr=")) {
            continue;
          }
          try {
            Multiaddr a = Multiaddr.parse(s.substring(8));
            a.peerId()
                .filter(p -> !p.equals(self))
                .ifPresent(p -> found.computeIfAbsent(p, k -> new ArrayList<>()).add(a));
          } catch (IllegalArgumentException e) {
            // an address this version cannot parse: skip it
          }
        }
      }
    }
    return found;
  }

  DnsMessage.Record txtRecord() {
    List<String> strings = new ArrayList<>();
    for (Multiaddr a : addresses.get()) {
      String s = "dnsaddr=" + a.withPeerId(self);
      if (s.length() <= 255) {
        strings.add(s);
      }
    }
    return DnsMessage.Record.txt(peerName + "." + SERVICE, strings, TTL_SECONDS);
  }

  private byte[] answer() {
    return new DnsMessage(
            0,
            DnsMessage.FLAG_RESPONSE,
            List.of(),
            List.of(DnsMessage.Record.ptr(SERVICE, peerName + "." + SERVICE, TTL_SECONDS)),
            List.of(txtRecord()))
        .encode();
  }

  private void send(byte[] message) {
    for (NetworkInterface i : interfaces) {
      try {
        channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, i);
        channel.send(ByteBuffer.wrap(message), new InetSocketAddress(GROUP, PORT));
      } catch (IOException e) {
        // an interface that went down: the next round tries again
      }
    }
  }

  /** Addresses of the interfaces mDNS works on: what {@code 0.0.0.0} stands for in answers. */
  public static List<InetAddress> interfaceAddresses() throws SocketException {
    List<InetAddress> out = new ArrayList<>();
    for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (i.isUp() && !i.isLoopback()) {
        i.inetAddresses().filter(a -> a instanceof Inet4Address).forEach(out::add);
      }
    }
    return out;
  }

  private static InetAddress address(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    closed = true;
    querier.interrupt();
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing a datagram channel does not fail in practice
    }
  }
}
