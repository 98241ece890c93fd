package dev.amalgam.protocol.bitswap.fetch;

import dev.amalgam.protocol.peer.PeerId;

/** Observes a fetch: progress (at most every 100 ms and once at the end) and dropped providers. */
public interface FetchListener {
  FetchListener NONE = new FetchListener() {};

  default void progress(FetchProgress progress) {}

  /**
   * A provider was dropped from this fetch. {@code penalized} is true when it misbehaved (a corrupt
   * or unsolicited block, a malformed message) rather than failing or timing out.
   */
  default void peerDropped(PeerId peer, String reason, boolean penalized) {}
}
