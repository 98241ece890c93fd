package dev.amalgam.protocol.identify;

import dev.amalgam.protocol.crypto.PublicKey;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.proto.ProtoReader;
import dev.amalgam.protocol.proto.ProtoWriter;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code Identify} protobuf. Null / empty fields mean "not sent" (for push: unchanged).
 * Unparseable listen addresses are skipped with a log line rather than failing the whole message.
 */
public record IdentifyInfo(
    PublicKey publicKey,
    List<Multiaddr> listenAddrs,
    List<String> protocols,
    Multiaddr observedAddr,
    String protocolVersion,
    String agentVersion,
    byte[] signedPeerRecord) {
  public static final String PROTOCOL_VERSION = "ipfs/0.1.0";
  private static final System.Logger LOG = System.getLogger(IdentifyInfo.class.getName());

  public byte[] encode() {
    ProtoWriter w = new ProtoWriter();
    if (publicKey != null) {
      w.bytes(1, publicKey.marshal());
    }
    listenAddrs.forEach(a -> w.bytes(2, a.bytes()));
    protocols.forEach(p -> w.string(3, p));
    if (observedAddr != null) {
      w.bytes(4, observedAddr.bytes());
    }
    if (protocolVersion != null) {
      w.string(5, protocolVersion);
    }
    if (agentVersion != null) {
      w.string(6, agentVersion);
    }
    if (signedPeerRecord != null) {
      w.bytes(8, signedPeerRecord);
    }
    return w.toByteArray();
  }

  public static IdentifyInfo decode(byte[] data) {
    ProtoReader r = new ProtoReader("Identify", data);
    PublicKey key = null;
    List<Multiaddr> addrs = new ArrayList<>();
    List<String> protocols = new ArrayList<>();
    Multiaddr observed = null;
    String pv = null;
    String agent = null;
    byte[] spr = null;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> key = PublicKey.unmarshal(r.bytes());
        case 2 -> {
          byte[] raw = r.bytes();
          try {
            addrs.add(Multiaddr.decode(raw));
          } catch (IllegalArgumentException e) {
            LOG.log(Level.DEBUG, "identify: skipping listen address: {0}", e.getMessage());
          }
        }
        case 3 -> protocols.add(r.string());
        case 4 -> {
          byte[] raw = r.bytes();
          try {
            observed = Multiaddr.decode(raw);
          } catch (IllegalArgumentException e) {
            LOG.log(Level.DEBUG, "identify: skipping observed address: {0}", e.getMessage());
          }
        }
        case 5 -> pv = r.string();
        case 6 -> agent = r.string();
        case 8 -> spr = r.bytes();
        default -> r.skip();
      }
    }
    return new IdentifyInfo(
        key, List.copyOf(addrs), List.copyOf(protocols), observed, pv, agent, spr);
  }

  /** Fields of {@code update} replace ours where present (identify push semantics). */
  public IdentifyInfo merge(IdentifyInfo update) {
    return new IdentifyInfo(
        update.publicKey != null ? update.publicKey : publicKey,
        update.listenAddrs.isEmpty() ? listenAddrs : update.listenAddrs,
        update.protocols.isEmpty() ? protocols : update.protocols,
        update.observedAddr != null ? update.observedAddr : observedAddr,
        update.protocolVersion != null ? update.protocolVersion : protocolVersion,
        update.agentVersion != null ? update.agentVersion : agentVersion,
        update.signedPeerRecord != null ? update.signedPeerRecord : signedPeerRecord);
  }

  static IdentifyInfo empty() {
    return new IdentifyInfo(null, List.of(), List.of(), null, null, null, null);
  }
}
