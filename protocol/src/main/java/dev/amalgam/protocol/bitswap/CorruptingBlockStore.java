package dev.amalgam.protocol.bitswap;

import dev.amalgam.multiformats.Cid;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Fault injection for tests and drills: serves the wrapped store's blocks with one byte flipped, so
 * peers receive data that does not hash to the CID they asked for.
 */
public final class CorruptingBlockStore implements BlockStore {
  private final BlockStore delegate;

  public CorruptingBlockStore(BlockStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public long size(Cid cid) {
    return delegate.size(cid);
  }

  @Override
  public ByteBuffer get(Cid cid) throws IOException {
    ByteBuffer b = delegate.get(cid);
    if (b == null) {
      return null;
    }
    byte[] copy = new byte[b.remaining()];
    b.duplicate().get(copy);
    if (copy.length > 0) {
      copy[copy.length / 2] ^= 0x5A;
    }
    return ByteBuffer.wrap(copy);
  }
}
