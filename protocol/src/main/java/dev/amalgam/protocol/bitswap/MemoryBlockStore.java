package dev.amalgam.protocol.bitswap;

import dev.amalgam.multiformats.Cid;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Blocks held on the heap: small documents (manifests, cards) and tests. */
public final class MemoryBlockStore implements BlockStore {
  private final Map<Cid, byte[]> blocks = new ConcurrentHashMap<>();

  /** Stores {@code data} as a raw block and returns its CID. */
  public Cid putRaw(byte[] data) {
    Cid cid = Cid.rawSha256(data);
    blocks.put(cid, data.clone());
    return cid;
  }

  /**
   * Stores {@code data} under {@code cid} after checking that the data hashes to it, so the store
   * never serves a block under a wrong name.
   */
  public void put(Cid cid, byte[] data) {
    Cid actual = new Block(Block.prefixOf(cid), ByteBuffer.wrap(data)).computeCid();
    if (!actual.equals(cid)) {
      throw new IllegalArgumentException("data hashes to " + actual + ", not " + cid);
    }
    blocks.put(cid, data.clone());
  }

  public void remove(Cid cid) {
    blocks.remove(cid);
  }

  public int count() {
    return blocks.size();
  }

  @Override
  public long size(Cid cid) {
    byte[] b = blocks.get(cid);
    return b == null ? -1 : b.length;
  }

  @Override
  public ByteBuffer get(Cid cid) {
    byte[] b = blocks.get(cid);
    return b == null ? null : ByteBuffer.wrap(b).asReadOnlyBuffer();
  }
}
