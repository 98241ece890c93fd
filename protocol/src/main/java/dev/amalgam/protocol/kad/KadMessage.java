package dev.amalgam.protocol.kad;

import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.proto.ProtoException;
import dev.amalgam.protocol.proto.ProtoReader;
import dev.amalgam.protocol.proto.ProtoWriter;
import java.util.ArrayList;
import java.util.List;

/** The kad-dht {@code Message} protobuf. A missing type decodes as PUT_VALUE (0), as in proto3. */
public record KadMessage(
    Type type,
    byte[] key,
    KadRecord record,
    List<KadPeer> closerPeers,
    List<KadPeer> providerPeers) {
  public static final int MAX_PEERS = 64;
  public static final int MAX_ADDRS = 32;

  /** Message types; PING (5) is deprecated and only decoded. */
  public enum Type {
    PUT_VALUE,
    GET_VALUE,
    ADD_PROVIDER,
    GET_PROVIDERS,
    FIND_NODE,
    PING
  }

  public KadMessage {
    closerPeers = List.copyOf(closerPeers);
    providerPeers = List.copyOf(providerPeers);
  }

  public static KadMessage request(Type type, byte[] key) {
    return new KadMessage(type, key, null, List.of(), List.of());
  }

  public byte[] encode() {
    ProtoWriter w = new ProtoWriter().varint(1, type.ordinal());
    if (key != null) {
      w.bytes(2, key);
    }
    if (record != null) {
      ProtoWriter r = new ProtoWriter().bytes(1, record.key()).bytes(2, record.value());
      if (record.timeReceived() != null) {
        r.string(5, record.timeReceived());
      }
      w.message(3, r);
    }
    closerPeers.forEach(p -> w.message(8, encodePeer(p)));
    providerPeers.forEach(p -> w.message(9, encodePeer(p)));
    return w.toByteArray();
  }

  private static ProtoWriter encodePeer(KadPeer p) {
    ProtoWriter w = new ProtoWriter().bytes(1, p.id().bytes());
    p.addrs().forEach(a -> w.bytes(2, a.bytes()));
    return w;
  }

  /** Decodes and checks a message; every error names the field and offset. */
  public static KadMessage decode(byte[] data) {
    ProtoReader r = new ProtoReader("kad Message", data);
    Type type = Type.PUT_VALUE;
    byte[] key = null;
    KadRecord record = null;
    List<KadPeer> closer = new ArrayList<>();
    List<KadPeer> providers = new ArrayList<>();
    while (r.next()) {
      switch (r.field()) {
        case 1 -> {
          int t = r.enumValue();
          if (t >= Type.values().length) {
            throw r.error("unknown message type " + t);
          }
          type = Type.values()[t];
        }
        case 2 -> key = r.bytes();
        case 3 -> record = decodeRecord(r.bytes());
        case 8, 9 -> {
          List<KadPeer> list = r.field() == 8 ? closer : providers;
          if (list.size() >= MAX_PEERS) {
            throw r.error("more than " + MAX_PEERS + " peers in field " + r.field());
          }
          list.add(decodePeer(r.bytes()));
        }
        default -> r.skip();
      }
    }
    return new KadMessage(type, key, record, closer, providers);
  }

  private static KadRecord decodeRecord(byte[] data) {
    ProtoReader r = new ProtoReader("kad Record", data);
    byte[] key = null;
    byte[] value = null;
    String time = null;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> key = r.bytes();
        case 2 -> value = r.bytes();
        case 5 -> time = r.string();
        default -> r.skip();
      }
    }
    if (key == null) {
      throw new ProtoException("kad Record: missing field key (1)");
    }
    return new KadRecord(key, value == null ? new byte[0] : value, time);
  }

  private static KadPeer decodePeer(byte[] data) {
    ProtoReader r = new ProtoReader("kad Peer", data);
    PeerId id = null;
    List<Multiaddr> addrs = new ArrayList<>();
    while (r.next()) {
      switch (r.field()) {
        case 1 -> {
          try {
            id = PeerId.fromBytes(r.bytes());
          } catch (IllegalArgumentException e) {
            throw r.error("field id (1): " + e.getMessage());
          }
        }
        case 2 -> {
          byte[] raw = r.bytes();
          if (addrs.size() >= MAX_ADDRS) {
            throw r.error("more than " + MAX_ADDRS + " addresses");
          }
          try {
            addrs.add(Multiaddr.decode(raw));
          } catch (IllegalArgumentException e) {
            // peers may advertise transports this build does not know; skip them
          }
        }
        default -> r.skip();
      }
    }
    if (id == null) {
      throw new ProtoException("kad Peer: missing field id (1)");
    }
    return new KadPeer(id, addrs);
  }
}
