package dev.amalgam.protocol.bitswap.fetch;

import dev.amalgam.multiformats.Cid;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Receives each verified block once, on the fetcher's thread; typically writes it in place into a
 * preallocated file. A failure aborts the fetch.
 */
@FunctionalInterface
public interface BlockSink {
  void accept(Cid cid, ByteBuffer data) throws IOException;
}
