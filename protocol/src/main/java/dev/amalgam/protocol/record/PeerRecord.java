package dev.amalgam.protocol.record;

import dev.amalgam.protocol.crypto.CryptoException;
import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.proto.ProtoReader;
import dev.amalgam.protocol.proto.ProtoWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A libp2p peer record (RFC 0003): a peer's addresses with a sequence number, carried in a signed
 * envelope with domain {@value #DOMAIN} and payload type {@code 03 01}.
 */
public record PeerRecord(PeerId peerId, long seq, List<Multiaddr> addresses) {
  public static final String DOMAIN = "libp2p-peer-record";
  static final byte[] PAYLOAD_TYPE = {0x03, 0x01};

  public byte[] encode() {
    ProtoWriter w = new ProtoWriter().bytes(1, peerId.bytes()).varint(2, seq);
    for (Multiaddr a : addresses) {
      w.message(3, new ProtoWriter().bytes(1, a.bytes()));
    }
    return w.toByteArray();
  }

  public static PeerRecord decode(byte[] data) {
    ProtoReader r = new ProtoReader("PeerRecord", data);
    PeerId id = null;
    long seq = 0;
    List<Multiaddr> addrs = new ArrayList<>();
    while (r.next()) {
      switch (r.field()) {
        case 1 -> id = PeerId.fromBytes(r.bytes());
        case 2 -> seq = r.varint();
        case 3 -> {
          ProtoReader info = new ProtoReader("PeerRecord.AddressInfo", r.bytes());
          while (info.next()) {
            if (info.field() == 1) {
              addrs.add(Multiaddr.decode(info.bytes()));
            } else {
              info.skip();
            }
          }
        }
        default -> r.skip();
      }
    }
    if (id == null) {
      throw new CryptoException("PeerRecord: missing peer_id (1)");
    }
    return new PeerRecord(id, seq, List.copyOf(addrs));
  }

  /** Signs this record with the peer's key (which must be the key of {@link #peerId}). */
  public Envelope seal(PrivateKey key) {
    if (!peerId.matches(key.publicKey())) {
      throw new CryptoException("PeerRecord: key does not belong to " + peerId);
    }
    return Envelope.seal(key, DOMAIN, PAYLOAD_TYPE, encode());
  }

  /**
   * Verifies an envelope holding a peer record: signature, payload type, and that the signing key
   * is the key of the record's peer id.
   */
  public static PeerRecord open(byte[] envelope) {
    Envelope e = Envelope.open(envelope, DOMAIN);
    if (!Arrays.equals(e.payloadType(), PAYLOAD_TYPE)) {
      throw new CryptoException(
          "signed peer record: payload type "
              + java.util.HexFormat.of().formatHex(e.payloadType())
              + ", expected 0301");
    }
    PeerRecord rec = decode(e.payload());
    if (!rec.peerId.matches(e.publicKey())) {
      throw new CryptoException(
          "signed peer record for " + rec.peerId + " is signed by another key");
    }
    return rec;
  }
}
