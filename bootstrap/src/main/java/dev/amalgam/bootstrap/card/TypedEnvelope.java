package dev.amalgam.bootstrap.card;

import dev.amalgam.protocol.record.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Opens a signed envelope that must carry one payload type: cards and summary notes. */
final class TypedEnvelope {
  /** Decodes a verified envelope's payload; the signer is given as the payload's author. */
  interface Decoder<T> {
    T decode(dev.amalgam.protocol.peer.PeerId signer, byte[] payload) throws CardException;
  }

  private TypedEnvelope() {}

  /**
   * Verifies the envelope for {@code domain}, checks its payload type, and decodes the payload;
   * {@code what} ("expert card") names it in errors.
   */
  static <T> T open(byte[] envelope, String domain, byte[] type, String what, Decoder<T> decoder)
      throws CardException {
    Envelope e;
    try {
      e = Envelope.open(envelope, domain);
    } catch (RuntimeException ex) {
      throw new CardException("bad " + what + " envelope: " + ex.getMessage());
    }
    if (!Arrays.equals(e.payloadType(), type)) {
      throw new CardException(
          "payload type '"
              + new String(e.payloadType(), StandardCharsets.US_ASCII)
              + "' is not a "
              + what);
    }
    try {
      return decoder.decode(
          dev.amalgam.protocol.peer.PeerId.fromPublicKey(e.publicKey()), e.payload());
    } catch (CardException ex) {
      throw ex;
    } catch (RuntimeException ex) {
      throw new CardException("malformed " + what + ": " + ex.getMessage());
    }
  }
}
