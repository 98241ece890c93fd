package dev.amalgam.bootstrap.card;

import dev.amalgam.protocol.pubsub.Message;

/**
 * The checks any peer can make on a card heard on an experts topic without asking anyone: the
 * envelope verifies, the payload is a well-formed card, it has not expired, and its signer is the
 * message's author (so nobody can republish another peer's card as their own, nor put words into
 * another peer's mouth).
 */
public final class CardGossipCheck {
  private CardGossipCheck() {}

  public static ExpertCard.Signed check(Message m, long nowMillis) throws CardException {
    ExpertCard.Signed signed = ExpertCard.open(m.data());
    if (!signed.card().peer().equals(m.author())) {
      throw new CardException(
          "card signed by " + signed.card().peer() + " but published by " + m.author());
    }
    if (signed.card().expired(nowMillis)) {
      throw new CardException(
          "card expired at " + java.time.Instant.ofEpochMilli(signed.card().expiresAtMillis()),
          true);
    }
    return signed;
  }
}
