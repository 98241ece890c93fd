package dev.amalgam.protocol.bitswap;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.peer.PeerId;

/** The peer answered DONT_HAVE to a want-block. */
public final class DontHaveException extends Exception {
  public DontHaveException(PeerId peer, Cid cid) {
    super("peer " + peer + " does not have " + cid);
  }
}
