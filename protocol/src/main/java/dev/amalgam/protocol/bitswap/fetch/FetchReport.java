package dev.amalgam.protocol.bitswap.fetch;

import dev.amalgam.protocol.peer.PeerId;
import java.time.Duration;
import java.util.Map;

/** How a finished fetch went: totals, bytes delivered by each provider, and dropped providers. */
public record FetchReport(
    long blocks,
    long bytes,
    Duration elapsed,
    Map<PeerId, Long> bytesByPeer,
    Map<PeerId, String> droppedPeers) {

  public double bytesPerSecond() {
    return bytes / Math.max(1e-9, elapsed.toNanos() / 1e9);
  }
}
