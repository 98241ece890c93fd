package dev.amalgam.protocol.kad;

import dev.amalgam.protocol.peer.PeerId;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Strikes against misbehaving peers; a peer with too many strikes is ignored for a while. */
public final class PeerPenalties {
  private static final int MAX_TRACKED = 10_000;

  private record Strikes(int count, long bannedUntil) {}

  private final int banAfter;
  private final long banNanos;
  private final Map<PeerId, Strikes> strikes = new ConcurrentHashMap<>();

  public PeerPenalties(int banAfter, Duration ban) {
    this.banAfter = banAfter;
    this.banNanos = ban.toNanos();
  }

  public void strike(PeerId peer) {
    if (strikes.size() >= MAX_TRACKED && !strikes.containsKey(peer)) {
      strikes.clear();
    }
    strikes.compute(
        peer,
        (p, s) -> {
          int n = s == null ? 1 : s.count + 1;
          return new Strikes(n, n >= banAfter ? System.nanoTime() + banNanos : 0);
        });
  }

  public int count(PeerId peer) {
    Strikes s = strikes.get(peer);
    return s == null ? 0 : s.count;
  }

  public boolean isBanned(PeerId peer) {
    Strikes s = strikes.get(peer);
    return s != null && s.count >= banAfter && s.bannedUntil - System.nanoTime() > 0;
  }
}
