package dev.amalgam.bootstrap.round;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.proto.ProtoReader;
import dev.amalgam.protocol.proto.ProtoWriter;
import dev.amalgam.protocol.record.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one peer got when it ran a round: the expert id of the merge output it hosts and its scores
 * on the proposal's dev set. The signer is the evaluating peer. Signed envelope, domain {@value
 * RoundMessages#DOMAIN}, payload type {@code /amalgam/round-result/1}; payload protobuf:
 *
 * <pre>
 * 1 proposal_id bytes (CID), 2 output_id bytes (CID), 3 dev_set_id bytes (CID),
 * 4 scores repeated {1 task string, 2 accuracy string}, 5 issued_at_ms uint64
 * </pre>
 */
public record RoundResult(
    PeerId evaluator,
    Cid proposalId,
    Cid outputId,
    Cid devSetId,
    Map<String, Double> scores,
    long issuedAtMillis) {
  public static final byte[] PAYLOAD_TYPE =
      "/amalgam/round-result/1".getBytes(StandardCharsets.US_ASCII);
  static final int MAX_SCORES = 16;

  public RoundResult {
    scores = Map.copyOf(scores);
  }

  /** A result with the exact signed bytes it travels as. */
  public record Signed(RoundResult result, byte[] envelope) {}

  public Signed seal(PrivateKey key) {
    if (!evaluator.matches(key.publicKey())) {
      throw new IllegalArgumentException("result of " + evaluator + " signed with another key");
    }
    ProtoWriter w =
        new ProtoWriter()
            .bytes(1, proposalId.bytes())
            .bytes(2, outputId.bytes())
            .bytes(3, devSetId.bytes());
    scores.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                w.message(
                    4, new ProtoWriter().string(1, e.getKey()).string(2, e.getValue().toString())));
    w.varint(5, issuedAtMillis);
    byte[] env = Envelope.seal(key, RoundMessages.DOMAIN, PAYLOAD_TYPE, w.toByteArray()).encode();
    return new Signed(this, env);
  }

  static RoundResult decode(PeerId signer, byte[] payload) throws RoundException {
    ProtoReader r = new ProtoReader("RoundResult", payload);
    Cid proposal = null;
    Cid output = null;
    Cid devSet = null;
    Map<String, Double> scores = new LinkedHashMap<>();
    long issued = 0;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> proposal = Cid.decode(r.bytes());
        case 2 -> output = Cid.decode(r.bytes());
        case 3 -> devSet = Cid.decode(r.bytes());
        case 4 -> {
          ProtoReader s = new ProtoReader("RoundResult.Score", r.bytes());
          String task = null;
          String value = null;
          while (s.next()) {
            switch (s.field()) {
              case 1 -> task = s.string();
              case 2 -> value = s.string();
              default -> s.skip();
            }
          }
          if (task == null || value == null) {
            throw new RoundException("score (4) without task or accuracy");
          }
          try {
            scores.put(task, Double.parseDouble(value));
          } catch (NumberFormatException e) {
            throw new RoundException("score (4) '" + task + "' is not a number: " + value);
          }
        }
        case 5 -> issued = r.varint();
        default -> r.skip();
      }
    }
    if (proposal == null || output == null || devSet == null) {
      throw new RoundException(
          "result misses "
              + (proposal == null
                  ? "proposal_id (1)"
                  : output == null ? "output_id (2)" : "dev_set_id (3)"));
    }
    if (scores.size() > MAX_SCORES) {
      throw new RoundException("scores (4): more than " + MAX_SCORES);
    }
    return new RoundResult(signer, proposal, output, devSet, scores, issued);
  }
}
