package dev.amalgam.protocol.multiaddr;

/** Multiaddr protocols understood here, with their multicodec and value size. */
public enum Protocol {
  IP4("ip4", 4, 4),
  TCP("tcp", 6, 2),
  UDP("udp", 273, 2),
  IP6("ip6", 41, 16),
  IP6ZONE("ip6zone", 42, Protocol.VARIABLE),
  DNS("dns", 53, Protocol.VARIABLE),
  DNS4("dns4", 54, Protocol.VARIABLE),
  DNS6("dns6", 55, Protocol.VARIABLE),
  DNSADDR("dnsaddr", 56, Protocol.VARIABLE),
  P2P("p2p", 421, Protocol.VARIABLE),
  TLS("tls", 448, 0),
  NOISE("noise", 454, 0),
  QUIC_V1("quic-v1", 461, 0),
  WS("ws", 477, 0),
  WSS("wss", 478, 0),
  P2P_CIRCUIT("p2p-circuit", 290, 0);

  /** Marks values with a uvarint length prefix. */
  public static final int VARIABLE = -1;

  private final String name;
  private final int code;
  private final int size;

  Protocol(String name, int code, int size) {
    this.name = name;
    this.code = code;
    this.size = size;
  }

  public String protocolName() {
    return name;
  }

  public int code() {
    return code;
  }

  /** Value size in bytes, 0 for none, {@link #VARIABLE} for length-prefixed. */
  public int size() {
    return size;
  }

  public static Protocol byName(String name) {
    if (name.equals("ipfs")) {
      return P2P;
    }
    for (Protocol p : values()) {
      if (p.name.equals(name)) {
        return p;
      }
    }
    return null;
  }

  public static Protocol byCode(long code) {
    for (Protocol p : values()) {
      if (p.code == code) {
        return p;
      }
    }
    return null;
  }
}
