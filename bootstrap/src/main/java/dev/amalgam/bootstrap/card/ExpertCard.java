package dev.amalgam.bootstrap.card;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.proto.ProtoReader;
import dev.amalgam.protocol.proto.ProtoWriter;
import dev.amalgam.protocol.record.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a peer says about one expert it hosts: name, expert id (manifest CID), family and tokenizer
 * ids, the base it was fine-tuned from, tags, eval scores, size, the addresses to fetch it from,
 * and for a merge output its provenance: the input expert ids and the SHA-256 of the recipe text
 * (from its {@code amalgam-merge.json}). Cards travel as libp2p signed envelopes (domain {@value
 * #DOMAIN}, payload type {@code /amalgam/expert-card/1}); the signer is the hosting peer. The
 * payload is protobuf:
 *
 * <pre>
 * 1 name string, 2 expert_id bytes (CID), 3 family_id bytes (CID), 4 tokenizer_id bytes (CID),
 * 5 base_id bytes (CID), 6 tags repeated string, 7 scores repeated {1 name string, 2 value string},
 * 8 size_bytes uint64, 9 addrs repeated bytes (multiaddr), 10 issued_at_ms uint64,
 * 11 expires_at_ms uint64, 12 merged_from repeated bytes (CID), 13 recipe_sha256 string (hex)
 * </pre>
 */
public record ExpertCard(
    PeerId peer,
    String name,
    Cid expertId,
    Cid familyId,
    Optional<Cid> tokenizerId,
    Optional<Cid> baseId,
    List<String> tags,
    Map<String, Double> scores,
    long sizeBytes,
    List<Multiaddr> addrs,
    long issuedAtMillis,
    long expiresAtMillis,
    List<Cid> mergedFrom,
    Optional<String> recipeSha256) {
  public static final String DOMAIN = "amalgam-expert-card";
  public static final byte[] PAYLOAD_TYPE =
      "/amalgam/expert-card/1".getBytes(StandardCharsets.US_ASCII);
  static final int MAX_NAME = 128;
  static final int MAX_TAGS = 32;
  static final int MAX_TAG = 64;
  static final int MAX_INPUTS = 64;

  /** A card without merge provenance. */
  public ExpertCard(
      PeerId peer,
      String name,
      Cid expertId,
      Cid familyId,
      Optional<Cid> tokenizerId,
      Optional<Cid> baseId,
      List<String> tags,
      Map<String, Double> scores,
      long sizeBytes,
      List<Multiaddr> addrs,
      long issuedAtMillis,
      long expiresAtMillis) {
    this(
        peer,
        name,
        expertId,
        familyId,
        tokenizerId,
        baseId,
        tags,
        scores,
        sizeBytes,
        addrs,
        issuedAtMillis,
        expiresAtMillis,
        List.of(),
        Optional.empty());
  }

  public ExpertCard {
    tags = List.copyOf(tags);
    mergedFrom = List.copyOf(mergedFrom);
    scores = Map.copyOf(new LinkedHashMap<>(scores));
    addrs = List.copyOf(addrs);
  }

  /** A card and the exact signed bytes it was read from (what is stored and forwarded). */
  public record Signed(ExpertCard card, byte[] envelope) {}

  public boolean expired(long nowMillis) {
    return nowMillis >= expiresAtMillis;
  }

  /** Signs the card with the hosting peer's key; the key must belong to {@link #peer()}. */
  public Signed seal(PrivateKey key) {
    if (!peer.matches(key.publicKey())) {
      throw new IllegalArgumentException("expert card for " + peer + " signed with another key");
    }
    byte[] env = Envelope.seal(key, DOMAIN, PAYLOAD_TYPE, payload()).encode();
    return new Signed(this, env);
  }

  byte[] payload() {
    ProtoWriter w =
        new ProtoWriter().string(1, name).bytes(2, expertId.bytes()).bytes(3, familyId.bytes());
    tokenizerId.ifPresent(t -> w.bytes(4, t.bytes()));
    baseId.ifPresent(b -> w.bytes(5, b.bytes()));
    tags.forEach(t -> w.string(6, t));
    scores.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                w.message(
                    7, new ProtoWriter().string(1, e.getKey()).string(2, e.getValue().toString())));
    w.varint(8, sizeBytes);
    addrs.forEach(a -> w.bytes(9, a.bytes()));
    w.varint(10, issuedAtMillis);
    w.varint(11, expiresAtMillis);
    mergedFrom.forEach(c -> w.bytes(12, c.bytes()));
    recipeSha256.ifPresent(h -> w.string(13, h));
    return w.toByteArray();
  }

  /**
   * Decodes and verifies a signed card.
   *
   * @throws CardException naming what is wrong (signature, payload type, field)
   */
  public static Signed open(byte[] envelope) throws CardException {
    return new Signed(
        TypedEnvelope.open(envelope, DOMAIN, PAYLOAD_TYPE, "expert card", ExpertCard::decode),
        envelope.clone());
  }

  private static ExpertCard decode(PeerId signer, byte[] payload) throws CardException {
    ProtoReader r = new ProtoReader("ExpertCard", payload);
    String name = null;
    Cid expert = null;
    Cid family = null;
    Cid tokenizer = null;
    Cid base = null;
    List<String> tags = new ArrayList<>();
    Map<String, Double> scores = new LinkedHashMap<>();
    long size = 0;
    List<Multiaddr> addrs = new ArrayList<>();
    long issued = 0;
    long expires = 0;
    List<Cid> mergedFrom = new ArrayList<>();
    String recipe = null;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> name = r.string();
        case 2 -> expert = Cid.decode(r.bytes());
        case 3 -> family = Cid.decode(r.bytes());
        case 4 -> tokenizer = Cid.decode(r.bytes());
        case 5 -> base = Cid.decode(r.bytes());
        case 6 -> tags.add(r.string());
        case 7 -> {
          ProtoReader s = new ProtoReader("ExpertCard.Score", r.bytes());
          String k = null;
          String v = null;
          while (s.next()) {
            switch (s.field()) {
              case 1 -> k = s.string();
              case 2 -> v = s.string();
              default -> s.skip();
            }
          }
          if (k == null || v == null) {
            throw new CardException("score without name or value");
          }
          try {
            scores.put(k, Double.parseDouble(v));
          } catch (NumberFormatException ex) {
            throw new CardException("score '" + k + "' is not a number: " + v);
          }
        }
        case 8 -> size = r.varint();
        case 9 -> addrs.add(Multiaddr.decode(r.bytes()));
        case 10 -> issued = r.varint();
        case 11 -> expires = r.varint();
        case 12 -> mergedFrom.add(Cid.decode(r.bytes()));
        case 13 -> recipe = r.string();
        default -> r.skip();
      }
    }
    if (name == null || name.isBlank() || name.length() > MAX_NAME) {
      throw new CardException("name missing or longer than " + MAX_NAME + " characters");
    }
    if (expert == null || family == null) {
      throw new CardException("missing " + (expert == null ? "expert_id (2)" : "family_id (3)"));
    }
    if (tags.size() > MAX_TAGS
        || tags.stream().anyMatch(t -> t.isBlank() || t.length() > MAX_TAG)) {
      throw new CardException(
          "tags: at most " + MAX_TAGS + " non-empty tags of up to " + MAX_TAG + " characters");
    }
    if (expires <= issued) {
      throw new CardException("expires_at (11) is not after issued_at (10)");
    }
    if (mergedFrom.size() > MAX_INPUTS) {
      throw new CardException("merged_from (12): more than " + MAX_INPUTS + " inputs");
    }
    if (recipe != null && !recipe.matches("[0-9a-f]{64}")) {
      throw new CardException("recipe_sha256 (13) is not 64 lowercase hex digits");
    }
    return new ExpertCard(
        signer,
        name,
        expert,
        family,
        Optional.ofNullable(tokenizer),
        Optional.ofNullable(base),
        tags,
        scores,
        size,
        addrs,
        issued,
        expires,
        mergedFrom,
        Optional.ofNullable(recipe));
  }

  /** The {@code recipe_sha256} of a recipe: SHA-256 of its UTF-8 text, lowercase hex. */
  public static String recipeSha256(String recipeText) {
    return java.util.HexFormat.of()
        .formatHex(
            dev.amalgam.multiformats.Multihash.newSha256()
                .digest(recipeText.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
