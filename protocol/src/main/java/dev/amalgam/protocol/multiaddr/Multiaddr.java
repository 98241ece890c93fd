package dev.amalgam.protocol.multiaddr;

import dev.amalgam.multiformats.Varint;
import dev.amalgam.protocol.peer.PeerId;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** A self-describing network address, e.g. {@code /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…}. */
public final class Multiaddr {
  /** One protocol and its binary value (empty for protocols without a value). */
  public record Component(Protocol protocol, byte[] value) {
    public String valueText() {
      return Multiaddr.valueToText(protocol, value);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Component c && c.protocol == protocol && Arrays.equals(c.value, value);
    }

    @Override
    public int hashCode() {
      return protocol.hashCode() * 31 + Arrays.hashCode(value);
    }
  }

  private static final int MAX_BINARY_LENGTH = 1024;
  private final List<Component> components;
  private final byte[] bytes;

  private Multiaddr(List<Component> components) {
    this.components = Collections.unmodifiableList(components);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Component c : components) {
      Varint.write(c.protocol.code(), out);
      if (c.protocol.size() == Protocol.VARIABLE) {
        Varint.write(c.value.length, out);
      }
      out.writeBytes(c.value);
    }
    this.bytes = out.toByteArray();
  }

  public static Multiaddr of(List<Component> components) {
    return new Multiaddr(new ArrayList<>(components));
  }

  public static Multiaddr parse(String text) {
    if (text.isEmpty() || text.charAt(0) != '/') {
      throw new MultiaddrException("multiaddr '" + text + "' must start with '/'");
    }
    String[] parts = text.substring(1).split("/", -1);
    List<Component> out = new ArrayList<>();
    int i = 0;
    while (i < parts.length) {
      String name = parts[i++];
      if (name.isEmpty() && i == parts.length && !out.isEmpty()) {
        break; // trailing slash
      }
      Protocol p = Protocol.byName(name);
      if (p == null) {
        throw new MultiaddrException("multiaddr '" + text + "': unknown protocol '" + name + "'");
      }
      if (p.size() == 0) {
        out.add(new Component(p, new byte[0]));
        continue;
      }
      if (i >= parts.length || parts[i].isEmpty()) {
        throw new MultiaddrException("multiaddr '" + text + "': /" + name + " needs a value");
      }
      out.add(new Component(p, textToValue(p, parts[i++], text)));
    }
    if (out.isEmpty()) {
      throw new MultiaddrException("multiaddr '" + text + "' has no components");
    }
    return new Multiaddr(out);
  }

  public static Multiaddr decode(byte[] bytes) {
    if (bytes.length > MAX_BINARY_LENGTH) {
      throw new MultiaddrException("binary multiaddr of " + bytes.length + " bytes exceeds 1024");
    }
    List<Component> out = new ArrayList<>();
    int pos = 0;
    try {
      while (pos < bytes.length) {
        int start = pos;
        Varint.Decoded code = Varint.decode(bytes, pos);
        pos += code.length();
        Protocol p = Protocol.byCode(code.value());
        if (p == null) {
          throw new MultiaddrException(
              "binary multiaddr: unknown protocol code " + code.value() + " at offset " + start);
        }
        int size = p.size();
        if (size == Protocol.VARIABLE) {
          Varint.Decoded len = Varint.decode(bytes, pos);
          pos += len.length();
          if (len.value() > bytes.length - pos) {
            throw new MultiaddrException(
                "binary multiaddr: /"
                    + p.protocolName()
                    + " length "
                    + len.value()
                    + " exceeds the bytes left at offset "
                    + start);
          }
          size = (int) len.value();
        } else if (size > bytes.length - pos) {
          throw new MultiaddrException(
              "binary multiaddr: /" + p.protocolName() + " truncated at offset " + start);
        }
        byte[] value = Arrays.copyOfRange(bytes, pos, pos + size);
        pos += size;
        valueToText(p, value); // validates
        out.add(new Component(p, value));
      }
    } catch (IllegalArgumentException e) {
      if (e instanceof MultiaddrException) {
        throw e;
      }
      throw new MultiaddrException(
          "binary multiaddr " + HexFormat.of().formatHex(bytes) + ": " + e.getMessage());
    }
    if (out.isEmpty()) {
      throw new MultiaddrException("binary multiaddr is empty");
    }
    return new Multiaddr(out);
  }

  public static Multiaddr tcp(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    Protocol p = ip instanceof Inet4Address ? Protocol.IP4 : Protocol.IP6;
    byte[] port = {(byte) (address.getPort() >> 8), (byte) address.getPort()};
    return new Multiaddr(
        List.of(new Component(p, ip.getAddress()), new Component(Protocol.TCP, port)));
  }

  public List<Component> components() {
    return components;
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  public Multiaddr encapsulate(Multiaddr other) {
    List<Component> all = new ArrayList<>(components);
    all.addAll(other.components);
    return new Multiaddr(all);
  }

  public Multiaddr withPeerId(PeerId id) {
    return encapsulate(new Multiaddr(List.of(new Component(Protocol.P2P, id.bytes()))));
  }

  /** Cuts at the last occurrence of {@code protocol}; returns this address when it is absent. */
  public Multiaddr decapsulate(Protocol protocol) {
    for (int i = components.size() - 1; i >= 0; i--) {
      if (components.get(i).protocol == protocol) {
        if (i == 0) {
          throw new MultiaddrException(
              "decapsulating /" + protocol.protocolName() + " leaves nothing of " + this);
        }
        return new Multiaddr(new ArrayList<>(components.subList(0, i)));
      }
    }
    return this;
  }

  public Optional<String> valueOf(Protocol protocol) {
    for (Component c : components) {
      if (c.protocol == protocol) {
        return Optional.of(c.valueText());
      }
    }
    return Optional.empty();
  }

  public Optional<PeerId> peerId() {
    for (int i = components.size() - 1; i >= 0; i--) {
      if (components.get(i).protocol == Protocol.P2P) {
        return Optional.of(PeerId.fromBytes(components.get(i).value));
      }
    }
    return Optional.empty();
  }

  /**
   * The host and port of a {@code /ip4|ip6|dns|dns4|dns6/…/tcp/…} address, unresolved for DNS
   * names.
   */
  public InetSocketAddress toTcpSocketAddress() {
    if (components.size() < 2 || components.get(1).protocol != Protocol.TCP) {
      throw new MultiaddrException("'" + this + "' is not a TCP address");
    }
    Component host = components.get(0);
    int port = Integer.parseInt(components.get(1).valueText());
    return switch (host.protocol) {
      case IP4, IP6 -> {
        try {
          yield new InetSocketAddress(InetAddress.getByAddress(host.value), port);
        } catch (UnknownHostException e) {
          throw new MultiaddrException("'" + this + "': " + e.getMessage());
        }
      }
      case DNS, DNS4, DNS6 -> InetSocketAddress.createUnresolved(host.valueText(), port);
      default -> throw new MultiaddrException("'" + this + "' is not a TCP address");
    };
  }

  private static byte[] textToValue(Protocol p, String value, String whole) {
    try {
      return switch (p) {
        case IP4 -> {
          if (!value.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new MultiaddrException("invalid IPv4 address '" + value + "'");
          }
          byte[] b = new byte[4];
          String[] octets = value.split("\\.");
          for (int j = 0; j < 4; j++) {
            int o = Integer.parseInt(octets[j]);
            if (o > 255) {
              throw new MultiaddrException("invalid IPv4 address '" + value + "'");
            }
            b[j] = (byte) o;
          }
          yield b;
        }
        case IP6 -> {
          if (!value.contains(":") || !value.matches("[0-9a-fA-F:.]+")) {
            throw new MultiaddrException("invalid IPv6 address '" + value + "'");
          }
          InetAddress a = InetAddress.getByName(value);
          byte[] b = a.getAddress();
          if (b.length == 4) { // ::ffff:a.b.c.d is mapped to IPv4 by the JDK
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(b, 0, mapped, 12, 4);
            b = mapped;
          }
          yield b;
        }
        case TCP, UDP -> {
          int port = Integer.parseInt(value);
          if (port < 0 || port > 65535) {
            throw new MultiaddrException("port " + value + " out of range");
          }
          yield new byte[] {(byte) (port >> 8), (byte) port};
        }
        case P2P -> dev.amalgam.protocol.peer.PeerId.parse(value).bytes();
        case IP6ZONE, DNS, DNS4, DNS6, DNSADDR -> value.getBytes(StandardCharsets.UTF_8);
        default -> throw new MultiaddrException("/" + p.protocolName() + " takes no value");
      };
    } catch (NumberFormatException | UnknownHostException e) {
      throw new MultiaddrException(
          "multiaddr '" + whole + "': invalid /" + p.protocolName() + " value '" + value + "'");
    } catch (IllegalArgumentException e) {
      throw new MultiaddrException("multiaddr '" + whole + "': " + e.getMessage());
    }
  }

  static String valueToText(Protocol p, byte[] value) {
    return switch (p) {
      case IP4 ->
          (value[0] & 0xFF)
              + "."
              + (value[1] & 0xFF)
              + "."
              + (value[2] & 0xFF)
              + "."
              + (value[3] & 0xFF);
      case IP6 -> {
        StringBuilder full = new StringBuilder();
        for (int g = 0; g < 8; g++) {
          if (g > 0) {
            full.append(':');
          }
          full.append(
              Integer.toHexString(((value[2 * g] & 0xFF) << 8) | (value[2 * g + 1] & 0xFF)));
        }
        yield compressIpv6(full.toString());
      }
      case TCP, UDP -> Integer.toString(((value[0] & 0xFF) << 8) | (value[1] & 0xFF));
      case P2P -> PeerId.fromBytes(value).toBase58();
      case IP6ZONE, DNS, DNS4, DNS6, DNSADDR -> {
        String s = new String(value, StandardCharsets.UTF_8);
        if (s.isEmpty() || s.contains("/")) {
          throw new MultiaddrException("invalid /" + p.protocolName() + " value '" + s + "'");
        }
        yield s;
      }
      default -> "";
    };
  }

  /** Shortens the JDK's full IPv6 form (1:0:0:0:0:0:0:1) to RFC 5952 form (1::1). */
  private static String compressIpv6(String full) {
    String[] groups = full.split(":");
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < groups.length; ) {
      if (groups[i].equals("0")) {
        int j = i;
        while (j < groups.length && groups[j].equals("0")) {
          j++;
        }
        if (j - i > bestLen && j - i > 1) {
          bestStart = i;
          bestLen = j - i;
        }
        i = j;
      } else {
        i++;
      }
    }
    if (bestStart < 0) {
      return full;
    }
    String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
    String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
    return head + "::" + tail;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Component c : components) {
      sb.append('/').append(c.protocol.protocolName());
      if (c.protocol.size() != 0) {
        sb.append('/').append(c.valueText());
      }
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Multiaddr m && Arrays.equals(bytes, m.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }
}
