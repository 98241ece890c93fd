package dev.amalgam.protocol.mdns;

import java.net.InetAddress;
import java.util.List;

/** The resource records mDNS peer discovery uses; anything else is kept only as its type. */
public sealed interface DnsRecord {
  int TYPE_A = 1;
  int TYPE_PTR = 12;
  int TYPE_TXT = 16;
  int TYPE_AAAA = 28;
  int TYPE_SRV = 33;

  String name();

  long ttl();

  record Ptr(String name, long ttl, String target) implements DnsRecord {}

  record Txt(String name, long ttl, List<String> strings) implements DnsRecord {}

  record Srv(String name, long ttl, int priority, int weight, int port, String target)
      implements DnsRecord {}

  /** An A or AAAA record. */
  record Address(String name, long ttl, InetAddress address) implements DnsRecord {}

  record Other(String name, int type, long ttl) implements DnsRecord {}
}
