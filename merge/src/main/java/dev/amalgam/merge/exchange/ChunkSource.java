package dev.amalgam.merge.exchange;

import dev.amalgam.multiformats.Cid;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Content-addressed blocks an expert is made of (its manifest and chunks), looked up by CID. The
 * same shape as the protocol module's {@code BlockStore}, so the node adapts one to the other with
 * two method references; merge itself knows nothing about the network.
 */
public interface ChunkSource {
  /** The block's size in bytes, or -1 when absent. */
  long size(Cid cid);

  /** The block's bytes as a read-only buffer (possibly a view on a mapped file), or null. */
  ByteBuffer get(Cid cid) throws IOException;
}
