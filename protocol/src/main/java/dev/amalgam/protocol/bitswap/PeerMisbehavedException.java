package dev.amalgam.protocol.bitswap;

import dev.amalgam.protocol.peer.PeerId;
import java.io.IOException;

/**
 * The peer broke the protocol (a block that matches no want, i.e. corrupt or unsolicited; an
 * oversize block; a malformed message; a want-list flood) and was disconnected. Pending wants to it
 * fail with this exception, so a fetcher can penalize the peer and ask elsewhere.
 */
public final class PeerMisbehavedException extends IOException {
  private final PeerId peer;

  public PeerMisbehavedException(PeerId peer, String what) {
    super("peer " + peer + ": " + what);
    this.peer = peer;
  }

  public PeerId peer() {
    return peer;
  }
}
