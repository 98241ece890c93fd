package dev.amalgam.protocol.bitswap;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.host.Connection;
import dev.amalgam.protocol.host.ConnectionListener;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.Stream;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.proto.LengthPrefixed;
import dev.amalgam.protocol.proto.ProtoException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bitswap 1.2.0 on a {@link Host} (also speaks 1.1.0 and 1.0.0): serves want-lists from a {@link
 * BlockStore} and asks peers for blocks. Each side sends on its own outbound stream, one
 * length-prefixed message per frame, and reads the peer's messages from the streams the peer opens.
 *
 * <p>Every received block is hashed and accepted only if it matches a want; a peer that sends a
 * block matching none, an oversize block, a malformed message or a want-list past the limit is
 * disconnected (one log line), and its pending wants fail with {@link PeerMisbehavedException}.
 */
public final class Bitswap implements AutoCloseable {
  public static final String PROTOCOL_1_2_0 = "/ipfs/bitswap/1.2.0";
  public static final String PROTOCOL_1_1_0 = "/ipfs/bitswap/1.1.0";
  public static final String PROTOCOL_1_0_0 = "/ipfs/bitswap/1.0.0";
  public static final List<String> PROTOCOLS =
      List.of(PROTOCOL_1_2_0, PROTOCOL_1_1_0, PROTOCOL_1_0_0);

  private static final System.Logger LOG = System.getLogger(Bitswap.class.getName());

  private final Host host;
  private final BlockStore store;
  private final BitswapConfig config;
  private final Semaphore uploadSlots;
  private final Map<PeerId, PeerSession> sessions = new ConcurrentHashMap<>();
  private final AtomicLong blocksSent = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong bytesReceived = new AtomicLong();
  private final ConnectionListener disconnects =
      new ConnectionListener() {
        @Override
        public void disconnected(Connection c) {
          PeerId peer = c.remotePeer();
          if (host.connections(peer).isEmpty()) {
            PeerSession s = sessions.get(peer);
            if (s != null) {
              s.close(new IOException("peer " + peer + " disconnected"));
            }
          }
        }
      };
  private volatile boolean closed;

  private Bitswap(Host host, BlockStore store, BitswapConfig config) {
    this.host = host;
    this.store = store;
    this.config = config;
    this.uploadSlots = new Semaphore(config.maxConcurrentUploads());
  }

  /** Creates the engine and registers its protocol handlers on {@code host}. */
  public static Bitswap start(Host host, BlockStore store, BitswapConfig config) {
    Bitswap b = new Bitswap(host, store, config);
    host.addConnectionListener(b.disconnects);
    for (String p : PROTOCOLS) {
      host.setStreamHandler(p, b::serveInbound);
    }
    return b;
  }

  public Host host() {
    return host;
  }

  public BlockStore store() {
    return store;
  }

  public BitswapConfig config() {
    return config;
  }

  Semaphore uploadSlots() {
    return uploadSlots;
  }

  /** Asks {@code peer} for a block; completes with its verified bytes (read-only). */
  public CompletableFuture<ByteBuffer> wantBlock(PeerId peer, Cid cid, int priority) {
    return session(peer).wantBlock(cid, priority);
  }

  /** Asks {@code peer} whether it has a block; completes with true (HAVE) or false (DONT_HAVE). */
  public CompletableFuture<Boolean> wantHave(PeerId peer, Cid cid) {
    return session(peer).wantHave(cid, 0);
  }

  /** Withdraws our wants for {@code cid} from {@code peer}; their futures are cancelled. */
  public void cancel(PeerId peer, Cid cid) {
    PeerSession s = sessions.get(peer);
    if (s != null) {
      s.cancel(cid);
    }
  }

  /** How many want-list entries {@code peer} has with us right now. */
  public int ledgerSize(PeerId peer) {
    PeerSession s = sessions.get(peer);
    return s == null ? 0 : s.ledgerSize();
  }

  public long blocksSent() {
    return blocksSent.get();
  }

  public long bytesSent() {
    return bytesSent.get();
  }

  public long bytesReceived() {
    return bytesReceived.get();
  }

  void countSent(int blocks, long bytes) {
    blocksSent.addAndGet(blocks);
    bytesSent.addAndGet(bytes);
  }

  void countReceived(long bytes) {
    bytesReceived.addAndGet(bytes);
  }

  private PeerSession session(PeerId peer) {
    while (true) {
      PeerSession s =
          sessions.computeIfAbsent(
              peer,
              p -> {
                PeerSession created = new PeerSession(this, p);
                if (closed) {
                  created.close(new IOException("bitswap is closed"));
                } else {
                  created.start();
                }
                return created;
              });
      if (!s.isClosed() || closed) {
        return s;
      }
      sessions.remove(peer, s);
    }
  }

  void forget(PeerSession s) {
    sessions.remove(s.peer(), s);
  }

  private void serveInbound(Stream stream) throws IOException {
    PeerId peer = stream.connection().remotePeer();
    String what = "bitswap message from " + peer;
    while (true) {
      BitswapMessage m;
      try {
        byte[] frame = LengthPrefixed.read(stream.in(), config.maxMessageBytes(), what);
        if (frame == null) {
          return;
        }
        m = BitswapMessage.decode(frame);
        session(peer).receive(m);
      } catch (ProtoException e) {
        disconnect(stream.connection(), new PeerMisbehavedException(peer, e.getMessage()));
        return;
      } catch (PeerMisbehavedException e) {
        disconnect(stream.connection(), e);
        return;
      }
    }
  }

  private void disconnect(Connection c, PeerMisbehavedException why) {
    LOG.log(Level.WARNING, "bitswap: disconnecting {0}", why.getMessage());
    PeerSession s = sessions.get(c.remotePeer());
    if (s != null) {
      s.close(why);
    }
    for (Connection open : host.connections(c.remotePeer())) {
      open.close();
    }
  }

  @Override
  public void close() {
    closed = true;
    for (String p : PROTOCOLS) {
      host.removeStreamHandler(p);
    }
    for (PeerSession s : List.copyOf(sessions.values())) {
      s.close(new IOException("bitswap is closed"));
    }
  }
}
