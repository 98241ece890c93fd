package dev.amalgam.protocol.mdns;

import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.ping.Ping;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A node for {@link MdnsNamespaceTest}, run inside a network namespace: listens on the given
 * address, discovers peers by mDNS on the given interface, dials and pings each peer it finds, and
 * prints {@code id}, {@code found} and {@code pinged} lines. With {@code --garbage} it first sprays
 * malformed packets at the mDNS group. Exits when stdin closes.
 */
public final class MdnsProbe {
  public static void main(String[] args) throws Exception {
    String ip = args[0];
    NetworkInterface iface = NetworkInterface.getByName(args[1]);
    if (args.length > 2 && args[2].equals("--garbage")) {
      sprayGarbage(ip);
    }
    try (Host host = new Host(HostConfig.defaults())) {
      host.setStreamHandler(Ping.PROTOCOL_ID, Ping::serve);
      host.listen(Multiaddr.parse("/ip4/" + ip + "/tcp/0"));
      System.out.println("id " + host.peerId());
      Set<String> seen = ConcurrentHashMap.newKeySet();
      try (MdnsDiscovery mdns =
          new MdnsDiscovery(
              host.peerId(),
              host::listenAddresses,
              found -> {
                if (!seen.add(found.peer().toString())) {
                  return;
                }
                System.out.println("found " + found.peer() + " " + found.addresses());
                Thread.ofVirtual()
                    .start(
                        () -> {
                          try {
                            host.dial(found.addresses().get(0));
                            var rtts = Ping.ping(host.newStream(found.peer(), Ping.PROTOCOL_ID), 1);
                            System.out.println("pinged " + found.peer() + " " + rtts.get(0));
                          } catch (Exception e) {
                            System.out.println(
                                "ping failed "
                                    + e
                                    + "; connections "
                                    + host.connections(found.peer()));
                          }
                        });
              },
              Duration.ofMillis(500),
              List.of(iface))) {
        mdns.start();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
      }
    }
  }

  private static void sprayGarbage(String ip) throws Exception {
    Random rnd = new Random(1);
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName(ip))) {
      for (int i = 0; i < 200; i++) {
        byte[] b = new byte[rnd.nextInt(600)];
        rnd.nextBytes(b);
        if (b.length > 3) {
          b[2] = (byte) (i % 2 == 0 ? 0x84 : 0); // half look like responses, half like queries
        }
        s.send(new DatagramPacket(b, b.length, InetAddress.getByName("224.0.0.251"), 5353));
      }
    }
    System.out.println("sprayed");
  }
}
