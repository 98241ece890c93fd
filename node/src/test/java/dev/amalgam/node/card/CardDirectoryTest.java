package dev.amalgam.node.card;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.bootstrap.card.ExpertCard;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.node.home.NodeStore;
import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.peer.PeerId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CardDirectoryTest {
  @TempDir Path dir;
  private final Ed25519PrivateKey key = Ed25519PrivateKey.generate();

  private ExpertCard.Signed card(String family, long issued, long expires) {
    return new ExpertCard(
            PeerId.fromPublicKey(key.publicKey()),
            "e",
            Cid.rawSha256("expert".getBytes(StandardCharsets.UTF_8)),
            Cid.rawSha256(family.getBytes(StandardCharsets.UTF_8)),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            Map.of(),
            1,
            List.of(),
            issued,
            expires)
        .seal(key);
  }

  @Test
  void keepsTheNewestCardPerExpertAndPeerAcrossReopen() throws Exception {
    Path db = dir.resolve("state.db");
    ExpertCard.Signed first = card("f", 1_000, 10_000);
    ExpertCard.Signed newer = card("f", 2_000, 10_000);
    try (NodeStore store = NodeStore.open(db)) {
      CardDirectory cards = new CardDirectory(store);
      assertThat(cards.offer(first)).isEqualTo(CardDirectory.Outcome.NEW);
      assertThat(cards.offer(first)).isEqualTo(CardDirectory.Outcome.UNCHANGED);
      assertThat(cards.knows(first.envelope())).isTrue();
      assertThat(cards.offer(newer)).isEqualTo(CardDirectory.Outcome.REFRESHED);
      assertThat(cards.offer(first)).isEqualTo(CardDirectory.Outcome.OLDER);
      assertThat(cards.knows(first.envelope())).isFalse();
    }
    try (NodeStore store = NodeStore.open(db)) {
      CardDirectory cards = new CardDirectory(store);
      assertThat(cards.load()).isEqualTo(1);
      assertThat(cards.list(null, 5_000)).singleElement().isEqualTo(newer.card());
      assertThat(cards.list(null, 10_000)).as("expired").isEmpty();
    }
  }

  @Test
  void filtersByAnyPartOfTheFamilyId() throws Exception {
    try (NodeStore store = NodeStore.open(dir.resolve("state.db"))) {
      CardDirectory cards = new CardDirectory(store);
      ExpertCard.Signed c = card("fam-a", 1, 10);
      cards.offer(c);
      String family = c.card().familyId().toString();
      assertThat(cards.list(family.substring(family.length() - 8), 5)).hasSize(1);
      assertThat(cards.list("zzzzzzzz", 5)).isEmpty();
    }
  }
}
