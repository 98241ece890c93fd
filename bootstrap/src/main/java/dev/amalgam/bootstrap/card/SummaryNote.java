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
import java.util.List;
import java.util.Optional;

/**
 * What a peer says about one distribution summary it serves: the summary id (CID of its root
 * block), the dataset and source model it describes, its size, and where to fetch it. Notes travel
 * on the experts topic beside expert cards, as libp2p signed envelopes (domain {@value #DOMAIN},
 * payload type {@code /amalgam/summary-note/1}); the signer is the serving peer. Payload
 * (protobuf):
 *
 * <pre>
 * 1 name string, 2 summary_id bytes (CID), 3 dataset_id bytes (CID), 4 source_model bytes (CID),
 * 5 source_tokenizer bytes (CID, optional), 6 top_k uint32, 7 sequences uint64,
 * 8 response_tokens uint64, 9 size_bytes uint64, 10 addrs repeated bytes (multiaddr),
 * 11 issued_at_ms uint64, 12 expires_at_ms uint64
 * </pre>
 */
public record SummaryNote(
    PeerId peer,
    String name,
    Cid summaryId,
    Cid datasetId,
    Cid sourceModel,
    Optional<Cid> sourceTokenizer,
    int topK,
    long sequences,
    long responseTokens,
    long sizeBytes,
    List<Multiaddr> addrs,
    long issuedAtMillis,
    long expiresAtMillis) {
  public static final String DOMAIN = "amalgam-summary-note";
  public static final byte[] PAYLOAD_TYPE =
      "/amalgam/summary-note/1".getBytes(StandardCharsets.US_ASCII);

  public SummaryNote {
    addrs = List.copyOf(addrs);
  }

  /** A note and the exact signed bytes it was read from. */
  public record Signed(SummaryNote note, byte[] envelope) {}

  public boolean expired(long nowMillis) {
    return nowMillis >= expiresAtMillis;
  }

  /** Whether signed bytes claim to be a summary note (by payload type; nothing is verified). */
  public static boolean claims(byte[] envelope) {
    try {
      return java.util.Arrays.equals(Envelope.decode(envelope).payloadType(), PAYLOAD_TYPE);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Signs the note with the serving peer's key; the key must belong to {@link #peer()}. */
  public Signed seal(PrivateKey key) {
    if (!peer.matches(key.publicKey())) {
      throw new IllegalArgumentException("summary note for " + peer + " signed with another key");
    }
    return new Signed(this, Envelope.seal(key, DOMAIN, PAYLOAD_TYPE, payload()).encode());
  }

  byte[] payload() {
    ProtoWriter w =
        new ProtoWriter()
            .string(1, name)
            .bytes(2, summaryId.bytes())
            .bytes(3, datasetId.bytes())
            .bytes(4, sourceModel.bytes());
    sourceTokenizer.ifPresent(t -> w.bytes(5, t.bytes()));
    w.varint(6, topK);
    w.varint(7, sequences);
    w.varint(8, responseTokens);
    w.varint(9, sizeBytes);
    addrs.forEach(a -> w.bytes(10, a.bytes()));
    w.varint(11, issuedAtMillis);
    w.varint(12, expiresAtMillis);
    return w.toByteArray();
  }

  /**
   * Decodes and verifies a signed note.
   *
   * @throws CardException naming what is wrong (signature, payload type, field)
   */
  public static Signed open(byte[] envelope) throws CardException {
    return new Signed(
        TypedEnvelope.open(envelope, DOMAIN, PAYLOAD_TYPE, "summary note", SummaryNote::decode),
        envelope.clone());
  }

  private static SummaryNote decode(PeerId signer, byte[] payload) throws CardException {
    ProtoReader r = new ProtoReader("SummaryNote", payload);
    String name = null;
    Cid summary = null;
    Cid dataset = null;
    Cid model = null;
    Cid tokenizer = null;
    long topK = 0;
    long sequences = 0;
    long tokens = 0;
    long size = 0;
    List<Multiaddr> addrs = new ArrayList<>();
    long issued = 0;
    long expires = 0;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> name = r.string();
        case 2 -> summary = Cid.decode(r.bytes());
        case 3 -> dataset = Cid.decode(r.bytes());
        case 4 -> model = Cid.decode(r.bytes());
        case 5 -> tokenizer = Cid.decode(r.bytes());
        case 6 -> topK = r.varint();
        case 7 -> sequences = r.varint();
        case 8 -> tokens = r.varint();
        case 9 -> size = r.varint();
        case 10 -> addrs.add(Multiaddr.decode(r.bytes()));
        case 11 -> issued = r.varint();
        case 12 -> expires = r.varint();
        default -> r.skip();
      }
    }
    if (name == null || name.isBlank() || name.length() > ExpertCard.MAX_NAME) {
      throw new CardException(
          "summary note: name missing or longer than " + ExpertCard.MAX_NAME + " characters");
    }
    if (summary == null || dataset == null || model == null) {
      throw new CardException(
          "summary note: missing "
              + (summary == null
                  ? "summary_id (2)"
                  : dataset == null ? "dataset_id (3)" : "source_model (4)"));
    }
    if (topK < 1 || topK > 1024) {
      throw new CardException("summary note: top_k (6) " + topK + " outside 1..1024");
    }
    if (expires <= issued) {
      throw new CardException("summary note: expires_at (12) is not after issued_at (11)");
    }
    return new SummaryNote(
        signer,
        name,
        summary,
        dataset,
        model,
        Optional.ofNullable(tokenizer),
        (int) topK,
        sequences,
        tokens,
        size,
        addrs,
        issued,
        expires);
  }
}
