package dev.amalgam.protocol.crypto;

import dev.amalgam.protocol.proto.ProtoReader;
import dev.amalgam.protocol.proto.ProtoWriter;

/** A libp2p public key. Its protobuf encoding is deterministic; peer ids are derived from it. */
public interface PublicKey {
  KeyType type();

  /** The key bytes carried in the protobuf {@code Data} field. */
  byte[] raw();

  boolean verify(byte[] message, byte[] signature);

  /** The {@code PublicKey} protobuf: Type (field 1) then Data (field 2). */
  default byte[] marshal() {
    return new ProtoWriter().varint(1, type().code()).bytes(2, raw()).toByteArray();
  }

  /** Decodes a {@code PublicKey} protobuf; only Ed25519 keys are supported. */
  static PublicKey unmarshal(byte[] encoded) {
    KeyData kd = KeyData.read("PublicKey", encoded);
    if (kd.type() != KeyType.ED25519) {
      throw new CryptoException("PublicKey: unsupported key type " + kd.type());
    }
    return Ed25519PublicKey.fromRaw(kd.data());
  }

  /** Type and Data of a key protobuf, with both fields required and nothing else allowed. */
  record KeyData(KeyType type, byte[] data) {
    static KeyData read(String name, byte[] encoded) {
      ProtoReader r = new ProtoReader(name, encoded);
      Integer type = null;
      byte[] data = null;
      while (r.next()) {
        switch (r.field()) {
          case 1 -> type = r.enumValue();
          case 2 -> data = r.bytes();
          default -> throw r.error("unexpected field " + r.field());
        }
      }
      if (type == null) {
        throw new CryptoException(name + ": missing field Type (1)");
      }
      if (data == null) {
        throw new CryptoException(name + ": missing field Data (2)");
      }
      return new KeyData(KeyType.fromCode(type), data);
    }
  }
}
