package dev.amalgam.protocol.pubsub;

import dev.amalgam.protocol.proto.ProtoException;
import dev.amalgam.protocol.proto.ProtoReader;
import dev.amalgam.protocol.proto.ProtoWriter;

/** The pubsub {@code Message} protobuf; {@code from} holds raw peer-id bytes. */
public record PubsubMessage(
    byte[] from, byte[] data, byte[] seqno, String topic, byte[] signature, byte[] key) {

  /** Fields in tag order; signature and key left out when {@code forSigning}. */
  public byte[] encode(boolean forSigning) {
    ProtoWriter w = new ProtoWriter();
    if (from != null) {
      w.bytes(1, from);
    }
    if (data != null) {
      w.bytes(2, data);
    }
    if (seqno != null) {
      w.bytes(3, seqno);
    }
    w.string(4, topic);
    if (!forSigning) {
      if (signature != null) {
        w.bytes(5, signature);
      }
      if (key != null) {
        w.bytes(6, key);
      }
    }
    return w.toByteArray();
  }

  public byte[] encode() {
    return encode(false);
  }

  public PubsubMessage withSignature(byte[] sig, byte[] pubKey) {
    return new PubsubMessage(from, data, seqno, topic, sig, pubKey);
  }

  public static PubsubMessage decode(byte[] raw) {
    ProtoReader r = new ProtoReader("pubsub Message", raw);
    byte[] from = null;
    byte[] data = null;
    byte[] seqno = null;
    String topic = null;
    byte[] signature = null;
    byte[] key = null;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> from = r.bytes();
        case 2 -> data = r.bytes();
        case 3 -> seqno = r.bytes();
        case 4 -> topic = r.string();
        case 5 -> signature = r.bytes();
        case 6 -> key = r.bytes();
        default -> r.skip();
      }
    }
    if (topic == null) {
      throw new ProtoException("pubsub Message: missing required field topic (4)");
    }
    return new PubsubMessage(from, data, seqno, topic, signature, key);
  }

  /** The encoded size, used for the size limit. */
  public int size() {
    return encode().length;
  }
}
