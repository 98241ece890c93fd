package dev.amalgam.protocol.bitswap;

import dev.amalgam.multiformats.Cid;

/**
 * One want-list entry. A {@code cancel} entry removes an earlier want of the same CID; its other
 * fields are ignored.
 */
public record WantEntry(
    Cid cid, int priority, boolean cancel, WantType type, boolean sendDontHave) {

  public static WantEntry block(Cid cid, int priority) {
    return new WantEntry(cid, priority, false, WantType.BLOCK, true);
  }

  public static WantEntry have(Cid cid, int priority) {
    return new WantEntry(cid, priority, false, WantType.HAVE, true);
  }

  public static WantEntry cancel(Cid cid) {
    return new WantEntry(cid, 0, true, WantType.BLOCK, false);
  }
}
