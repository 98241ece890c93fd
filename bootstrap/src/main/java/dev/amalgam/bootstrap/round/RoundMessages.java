package dev.amalgam.bootstrap.round;

import dev.amalgam.bootstrap.EventLog;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.pubsub.Message;
import dev.amalgam.protocol.pubsub.ValidationResult;
import dev.amalgam.protocol.record.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Opens what a federation's merges topic carries: signed round proposals and round results. A
 * message's signer must be its gossip author, so nobody republishes another peer's words as their
 * own.
 */
public final class RoundMessages {
  /** The signing domain of both payload types. */
  public static final String DOMAIN = "amalgam-merge-round";

  private RoundMessages() {}

  /** Either a {@link RoundProposal.Signed} or a {@link RoundResult.Signed}. */
  public sealed interface Opened permits Proposal, Result {
    PeerId signer();
  }

  public record Proposal(RoundProposal.Signed signed) implements Opened {
    @Override
    public PeerId signer() {
      return signed.proposal().proposer();
    }
  }

  public record Result(RoundResult.Signed signed) implements Opened {
    @Override
    public PeerId signer() {
      return signed.result().evaluator();
    }
  }

  /** Verifies the envelope and decodes the payload by its type. */
  public static Opened open(byte[] envelope) throws RoundException {
    Envelope e;
    try {
      e = Envelope.open(envelope, DOMAIN);
    } catch (RuntimeException ex) {
      throw new RoundException("bad envelope: " + ex.getMessage());
    }
    PeerId signer = PeerId.fromPublicKey(e.publicKey());
    try {
      if (Arrays.equals(e.payloadType(), RoundProposal.PAYLOAD_TYPE)) {
        RoundProposal p = RoundProposal.decode(signer, e.payload());
        return new Proposal(
            new RoundProposal.Signed(
                p, envelope.clone(), dev.amalgam.multiformats.Cid.rawSha256(envelope)));
      }
      if (Arrays.equals(e.payloadType(), RoundResult.PAYLOAD_TYPE)) {
        return new Result(
            new RoundResult.Signed(RoundResult.decode(signer, e.payload()), envelope.clone()));
      }
    } catch (RoundException ex) {
      throw ex;
    } catch (RuntimeException ex) {
      throw new RoundException("malformed payload: " + ex.getMessage());
    }
    throw new RoundException(
        "payload type '"
            + new String(e.payloadType(), StandardCharsets.US_ASCII)
            + "' is neither a round proposal nor a round result");
  }

  /**
   * The merges topic's gossip validator: ACCEPT what {@link #check} passes, else REJECT with one
   * {@code round message rejected} log line.
   */
  public static ValidationResult validate(Message m, EventLog log) {
    try {
      check(m);
      return ValidationResult.ACCEPT;
    } catch (RoundException e) {
      log.event("round message rejected", "from " + m.receivedFrom() + ": " + e.getMessage());
      return ValidationResult.REJECT;
    }
  }

  /** What any peer can check on a message of the merges topic without asking anyone. */
  public static Opened check(Message m) throws RoundException {
    Opened o = open(m.data());
    if (!o.signer().equals(m.author())) {
      throw new RoundException(
          "round message signed by " + o.signer() + " but published by " + m.author());
    }
    return o;
  }
}
