package dev.amalgam.protocol.bitswap;

import dev.amalgam.multiformats.Cid;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where bitswap finds the blocks it serves. Implementations may hand out read-only views on mapped
 * files, so serving never copies a checkpoint to disk; the engine only reads the buffer's remaining
 * bytes and never changes its position.
 */
public interface BlockStore {
  /** The block's size in bytes, or -1 when the store does not hold it. */
  long size(Cid cid);

  /** The block's bytes, or null when the store does not hold it. */
  ByteBuffer get(Cid cid) throws IOException;

  default boolean has(Cid cid) {
    return size(cid) >= 0;
  }
}
