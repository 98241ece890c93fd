package dev.amalgam.bootstrap.card;

import dev.amalgam.protocol.pubsub.Message;

/**
 * The checks any peer can make on a card or summary note heard on an experts topic without asking
 * anyone: the envelope verifies, the payload is well formed, it has not expired, and its signer is
 * the message's author (so nobody can republish another peer's card as their own, nor put words
 * into another peer's mouth).
 */
public final class CardGossipCheck {
  private CardGossipCheck() {}

  public static ExpertCard.Signed check(Message m, long nowMillis) throws CardException {
    ExpertCard.Signed signed = ExpertCard.open(m.data());
    checkAuthorAndExpiry(
        "card", signed.card().peer(), signed.card().expiresAtMillis(), m, nowMillis);
    return signed;
  }

  public static SummaryNote.Signed checkNote(Message m, long nowMillis) throws CardException {
    SummaryNote.Signed signed = SummaryNote.open(m.data());
    checkAuthorAndExpiry(
        "summary note", signed.note().peer(), signed.note().expiresAtMillis(), m, nowMillis);
    return signed;
  }

  /** Checks either kind, told apart by the envelope's payload type. */
  public static void checkAny(Message m, long nowMillis) throws CardException {
    if (SummaryNote.claims(m.data())) {
      checkNote(m, nowMillis);
    } else {
      check(m, nowMillis);
    }
  }

  private static void checkAuthorAndExpiry(
      String what, dev.amalgam.protocol.peer.PeerId signer, long expires, Message m, long now)
      throws CardException {
    if (!signer.equals(m.author())) {
      throw new CardException(what + " signed by " + signer + " but published by " + m.author());
    }
    if (now >= expires) {
      throw new CardException(
          what + " expired at " + java.time.Instant.ofEpochMilli(expires), true);
    }
  }
}
