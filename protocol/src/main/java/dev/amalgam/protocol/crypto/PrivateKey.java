package dev.amalgam.protocol.crypto;

import dev.amalgam.protocol.proto.ProtoWriter;

/** A libp2p private key: signs, and knows its public key. */
public interface PrivateKey {
  KeyType type();

  byte[] raw();

  byte[] sign(byte[] message);

  PublicKey publicKey();

  /** The {@code PrivateKey} protobuf: Type (field 1) then Data (field 2). */
  default byte[] marshal() {
    return new ProtoWriter().varint(1, type().code()).bytes(2, raw()).toByteArray();
  }

  /** Decodes a {@code PrivateKey} protobuf; only Ed25519 keys are supported. */
  static PrivateKey unmarshal(byte[] encoded) {
    PublicKey.KeyData kd = PublicKey.KeyData.read("PrivateKey", encoded);
    if (kd.type() != KeyType.ED25519) {
      throw new CryptoException("PrivateKey: unsupported key type " + kd.type());
    }
    return Ed25519PrivateKey.fromLibp2pData(kd.data());
  }
}
