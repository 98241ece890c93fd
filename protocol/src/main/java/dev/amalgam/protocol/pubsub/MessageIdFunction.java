package dev.amalgam.protocol.pubsub;

import dev.amalgam.multiformats.Multihash;
import dev.amalgam.protocol.peer.PeerId;
import java.util.Arrays;

/** Computes message ids; they travel in IHAVE/IWANT, so both sides must agree. */
@FunctionalInterface
public interface MessageIdFunction {
  byte[] id(PubsubMessage m);

  /**
   * js-libp2p's StrictSign id: the author's PublicKey protobuf followed by the 8-byte seqno (for
   * Ed25519 the key is the digest of the identity-multihash peer id).
   */
  MessageIdFunction JS_STRICT_SIGN =
      m -> {
        byte[] key = m.key();
        if (key == null) {
          key = PeerId.fromBytes(m.from()).inlinedPublicKey().orElseThrow().marshal();
        }
        byte[] out = Arrays.copyOf(key, key.length + m.seqno().length);
        System.arraycopy(m.seqno(), 0, out, key.length, m.seqno().length);
        return out;
      };

  /** go-libp2p's default: raw {@code from} bytes followed by the seqno. */
  MessageIdFunction FROM_AND_SEQNO =
      m -> {
        byte[] out = Arrays.copyOf(m.from(), m.from().length + m.seqno().length);
        System.arraycopy(m.seqno(), 0, out, m.from().length, m.seqno().length);
        return out;
      };

  /** Content addressing: sha256 of the data. */
  MessageIdFunction SHA256_OF_DATA =
      m -> Multihash.newSha256().digest(m.data() == null ? new byte[0] : m.data());
}
