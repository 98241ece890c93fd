package dev.amalgam.protocol.pubsub;

import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.crypto.PublicKey;
import dev.amalgam.protocol.peer.PeerId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * StrictSign: the signature covers {@code "libp2p-pubsub:"} followed by the message encoded without
 * its signature and key fields (as go and js do).
 */
public final class MessageSigning {
  private static final byte[] PREFIX = "libp2p-pubsub:".getBytes(StandardCharsets.UTF_8);

  private MessageSigning() {}

  static byte[] signedBytes(PubsubMessage m) {
    byte[] body = m.encode(true);
    byte[] all = Arrays.copyOf(PREFIX, PREFIX.length + body.length);
    System.arraycopy(body, 0, all, PREFIX.length, body.length);
    return all;
  }

  public static PubsubMessage sign(PubsubMessage unsigned, PrivateKey key) {
    return unsigned.withSignature(key.sign(signedBytes(unsigned)), key.publicKey().marshal());
  }

  /**
   * Checks a StrictSign message and returns its author's key; throws naming the first problem:
   * seqno, from, key or signature.
   */
  public static PublicKey verify(PubsubMessage m) {
    if (m.seqno() == null || m.seqno().length != 8) {
      throw new InvalidMessageException(
          "seqno is "
              + (m.seqno() == null ? "missing" : m.seqno().length + " bytes")
              + ", StrictSign needs 8 bytes");
    }
    if (m.signature() == null) {
      throw new InvalidMessageException("signature is missing");
    }
    if (m.from() == null) {
      throw new InvalidMessageException("from is missing");
    }
    PeerId author;
    try {
      author = PeerId.fromBytes(m.from());
    } catch (IllegalArgumentException e) {
      throw new InvalidMessageException("from is not a peer id: " + e.getMessage());
    }
    PublicKey key;
    try {
      key =
          m.key() != null
              ? PublicKey.unmarshal(m.key())
              : author
                  .inlinedPublicKey()
                  .orElseThrow(
                      () -> new InvalidMessageException("key is missing and not inlined in from"));
    } catch (IllegalArgumentException e) {
      throw new InvalidMessageException("key: " + e.getMessage());
    }
    if (!author.matches(key)) {
      throw new InvalidMessageException("key does not belong to from " + author);
    }
    if (!key.verify(signedBytes(m), m.signature())) {
      throw new InvalidMessageException("signature does not verify for " + author);
    }
    return key;
  }
}
