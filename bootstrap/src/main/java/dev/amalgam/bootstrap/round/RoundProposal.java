package dev.amalgam.bootstrap.round;

import dev.amalgam.bootstrap.card.ExpertCard;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.proto.ProtoReader;
import dev.amalgam.protocol.proto.ProtoWriter;
import dev.amalgam.protocol.record.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A merge round put to a federation: a recipe whose models are expert ids, and the dev set its
 * output is evaluated on. Travels as a libp2p signed envelope (domain {@value
 * RoundMessages#DOMAIN}, payload type {@code /amalgam/round-proposal/1}) signed by the proposer;
 * its id is the CID (raw, sha2-256) of the envelope bytes. The payload is protobuf:
 *
 * <pre>
 * 1 federation string, 2 recipe string (YAML), 3 recipe_sha256 string (hex of field 2's UTF-8),
 * 4 inputs repeated bytes (CID), 5 dev_set DevSet, 6 dev_set_id bytes (CID), 7 issued_at_ms uint64
 * DevSet: 1 split string, 2 tasks repeated string, 3 n uint32, 4 seed uint64, 5 max_tokens uint32
 * </pre>
 */
public record RoundProposal(
    PeerId proposer,
    String federation,
    String recipe,
    List<Cid> inputs,
    DevSet devSet,
    long issuedAtMillis) {
  public static final byte[] PAYLOAD_TYPE =
      "/amalgam/round-proposal/1".getBytes(StandardCharsets.US_ASCII);
  public static final int MAX_RECIPE_BYTES = 64 * 1024;
  public static final int MAX_INPUTS = 64;

  public RoundProposal {
    inputs = List.copyOf(inputs);
  }

  /** A proposal with the exact signed bytes it travels as, and its id. */
  public record Signed(RoundProposal proposal, byte[] envelope, Cid id) {}

  public String recipeSha256() {
    return ExpertCard.recipeSha256(recipe);
  }

  public Signed seal(PrivateKey key) {
    if (!proposer.matches(key.publicKey())) {
      throw new IllegalArgumentException("proposal of " + proposer + " signed with another key");
    }
    byte[] env = Envelope.seal(key, RoundMessages.DOMAIN, PAYLOAD_TYPE, payload()).encode();
    return new Signed(this, env, Cid.rawSha256(env));
  }

  private byte[] payload() {
    ProtoWriter w =
        new ProtoWriter().string(1, federation).string(2, recipe).string(3, recipeSha256());
    inputs.forEach(c -> w.bytes(4, c.bytes()));
    return w.bytes(5, devSet.encode())
        .bytes(6, devSet.id().bytes())
        .varint(7, issuedAtMillis)
        .toByteArray();
  }

  static RoundProposal decode(PeerId signer, byte[] payload) throws RoundException {
    ProtoReader r = new ProtoReader("RoundProposal", payload);
    String federation = null;
    String recipe = null;
    String sha = null;
    List<Cid> inputs = new ArrayList<>();
    DevSet devSet = null;
    Cid devSetId = null;
    long issued = 0;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> federation = r.string();
        case 2 -> recipe = r.string();
        case 3 -> sha = r.string();
        case 4 -> inputs.add(Cid.decode(r.bytes()));
        case 5 -> devSet = DevSet.decode(r.bytes());
        case 6 -> devSetId = Cid.decode(r.bytes());
        case 7 -> issued = r.varint();
        default -> r.skip();
      }
    }
    if (federation == null || recipe == null || devSet == null || devSetId == null) {
      throw new RoundException(
          "proposal misses "
              + (federation == null
                  ? "federation (1)"
                  : recipe == null
                      ? "recipe (2)"
                      : devSet == null ? "dev_set (5)" : "dev_set_id (6)"));
    }
    if (recipe.getBytes(StandardCharsets.UTF_8).length > MAX_RECIPE_BYTES) {
      throw new RoundException("recipe (2) is longer than " + MAX_RECIPE_BYTES + " bytes");
    }
    if (!ExpertCard.recipeSha256(recipe).equals(sha)) {
      throw new RoundException("recipe_sha256 (3) " + sha + " is not the SHA-256 of the recipe");
    }
    if (inputs.isEmpty() || inputs.size() > MAX_INPUTS) {
      throw new RoundException("inputs (4): 1-" + MAX_INPUTS + " expert ids, got " + inputs.size());
    }
    if (!devSet.id().equals(devSetId)) {
      throw new RoundException(
          "dev_set_id (6) " + devSetId + " is not the id of dev_set (5), " + devSet.id());
    }
    return new RoundProposal(signer, federation, recipe, inputs, devSet, issued);
  }
}
