package dev.amalgam.protocol.record;

import dev.amalgam.multiformats.Varint;
import dev.amalgam.protocol.crypto.CryptoException;
import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.crypto.PublicKey;
import dev.amalgam.protocol.proto.ProtoReader;
import dev.amalgam.protocol.proto.ProtoWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A libp2p signed envelope (RFC 0002). The signature covers the domain string, the payload type and
 * the payload, each prefixed with its uvarint length; the domain itself is not transmitted.
 */
public record Envelope(PublicKey publicKey, byte[] payloadType, byte[] payload, byte[] signature) {

  public static Envelope seal(PrivateKey key, String domain, byte[] payloadType, byte[] payload) {
    byte[] sig = key.sign(signedBytes(domain, payloadType, payload));
    return new Envelope(key.publicKey(), payloadType.clone(), payload.clone(), sig);
  }

  /** Decodes and verifies an envelope for {@code domain}; throws if the signature is invalid. */
  public static Envelope open(byte[] encoded, String domain) {
    Envelope e = decode(encoded);
    if (!e.publicKey.verify(signedBytes(domain, e.payloadType, e.payload), e.signature)) {
      throw new CryptoException("Envelope: signature does not verify for domain '" + domain + "'");
    }
    return e;
  }

  public static Envelope decode(byte[] encoded) {
    ProtoReader r = new ProtoReader("Envelope", encoded);
    PublicKey key = null;
    byte[] type = null;
    byte[] payload = null;
    byte[] sig = null;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> key = PublicKey.unmarshal(r.bytes());
        case 2 -> type = r.bytes();
        case 3 -> payload = r.bytes();
        case 5 -> sig = r.bytes();
        default -> r.skip();
      }
    }
    if (key == null || type == null || payload == null || sig == null) {
      throw new CryptoException(
          "Envelope: missing "
              + (key == null
                  ? "public_key (1)"
                  : type == null
                      ? "payload_type (2)"
                      : payload == null ? "payload (3)" : "signature (5)"));
    }
    return new Envelope(key, type, payload, sig);
  }

  public byte[] encode() {
    return new ProtoWriter()
        .bytes(1, publicKey.marshal())
        .bytes(2, payloadType)
        .bytes(3, payload)
        .bytes(5, signature)
        .toByteArray();
  }

  static byte[] signedBytes(String domain, byte[] payloadType, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part :
        new byte[][] {domain.getBytes(StandardCharsets.UTF_8), payloadType, payload}) {
      Varint.write(part.length, out);
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Envelope e
        && publicKey.equals(e.publicKey)
        && Arrays.equals(payloadType, e.payloadType)
        && Arrays.equals(payload, e.payload)
        && Arrays.equals(signature, e.signature);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "Envelope(" + publicKey + ", " + payload.length + " byte payload)";
  }
}
