package dev.amalgam.protocol.bitswap;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.host.Stream;
import dev.amalgam.protocol.peer.PeerId;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything bitswap keeps about one remote peer: our pending wants to it (client side), its
 * want-list (server side), and the one writer thread that sends our messages on our own outbound
 * stream. Inbound messages arrive on the peer's streams and are applied by {@link #receive}.
 */
final class PeerSession {
  private static final System.Logger LOG = System.getLogger(PeerSession.class.getName());
  private static final int RECENTLY_ASKED = 8192;
  private static final int MAX_PRESENCES_PER_MESSAGE = 1024;

  private final Bitswap engine;
  private final PeerId peer;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final ArrayDeque<WantEntry> outgoingWants = new ArrayDeque<>();
  private final Map<Cid, List<CompletableFuture<ByteBuffer>>> blockWants = new HashMap<>();
  private final Map<Cid, List<CompletableFuture<Boolean>>> haveWants = new HashMap<>();
  // Blocks we asked this peer for lately: a late or repeated copy of one is not misbehaviour.
  private final SequencedSet<Cid> recentlyAsked = new LinkedHashSet<>();
  private final PeerLedger ledger = new PeerLedger();
  private final UploadRateLimiter limiter;
  private volatile IOException closedWith;
  private volatile int peerPendingBytes;
  private Stream out;
  private boolean legacy;
  private Thread writer;

  PeerSession(Bitswap engine, PeerId peer) {
    this.engine = engine;
    this.peer = peer;
    this.limiter = new UploadRateLimiter(engine.config().uploadBytesPerSecondPerPeer());
  }

  void start() {
    writer = Thread.ofVirtual().name("bitswap-" + peer.toBase58().substring(46)).start(this::run);
  }

  PeerId peer() {
    return peer;
  }

  boolean isClosed() {
    return closedWith != null;
  }

  int peerPendingBytes() {
    return peerPendingBytes;
  }

  int ledgerSize() {
    lock.lock();
    try {
      return ledger.size();
    } finally {
      lock.unlock();
    }
  }

  // ---- client side ----

  CompletableFuture<ByteBuffer> wantBlock(Cid cid, int priority) {
    return want(WantEntry.block(cid, priority), blockWants);
  }

  CompletableFuture<Boolean> wantHave(Cid cid, int priority) {
    return want(WantEntry.have(cid, priority), haveWants);
  }

  private <T> CompletableFuture<T> want(
      WantEntry entry, Map<Cid, List<CompletableFuture<T>>> pending) {
    CompletableFuture<T> f = new CompletableFuture<>();
    lock.lock();
    try {
      if (failIfClosed(f)) {
        return f;
      }
      rememberAsked(entry.cid());
      pending.computeIfAbsent(entry.cid(), c -> new ArrayList<>()).add(f);
      outgoingWants.add(entry);
      work.signal();
    } finally {
      lock.unlock();
    }
    return f;
  }

  /** Our pending wants for one CID, removed together. */
  private record Taken(
      List<CompletableFuture<ByteBuffer>> blocks, List<CompletableFuture<Boolean>> haves) {
    boolean isEmpty() {
      return blocks == null && haves == null;
    }

    void cancel() {
      if (blocks != null) {
        blocks.forEach(f -> f.cancel(false));
      }
      if (haves != null) {
        haves.forEach(f -> f.cancel(false));
      }
    }
  }

  /** Removes every pending want for {@code cid}; the caller holds the lock. */
  private Taken take(Cid cid) {
    return new Taken(blockWants.remove(cid), haveWants.remove(cid));
  }

  /** Drops our wants for {@code cid} (their futures are cancelled) and tells the peer. */
  void cancel(Cid cid) {
    Taken taken;
    lock.lock();
    try {
      taken = take(cid);
      if (taken.isEmpty()) {
        return;
      }
      if (!isClosed()) {
        outgoingWants.add(WantEntry.cancel(cid));
        work.signal();
      }
    } finally {
      lock.unlock();
    }
    taken.cancel();
  }

  private void rememberAsked(Cid cid) {
    recentlyAsked.remove(cid);
    recentlyAsked.add(cid);
    if (recentlyAsked.size() > RECENTLY_ASKED) {
      recentlyAsked.removeFirst();
    }
  }

  private boolean failIfClosed(CompletableFuture<?> f) {
    if (closedWith != null) {
      f.completeExceptionally(closedWith);
      return true;
    }
    return false;
  }

  // ---- inbound messages ----

  /**
   * Applies one message from the peer. Throws {@link PeerMisbehavedException} when the peer broke
   * the rules; the caller then disconnects it.
   */
  void receive(BitswapMessage m) throws PeerMisbehavedException {
    BitswapConfig config = engine.config();
    if (!m.wants().isEmpty() || m.fullWantlist()) {
      lock.lock();
      try {
        if (m.fullWantlist()) {
          ledger.clear();
        }
        for (WantEntry e : m.wants()) {
          ledger.apply(e);
        }
        if (ledger.size() > config.maxWantsPerPeer()) {
          ledger.clear();
          throw new PeerMisbehavedException(
              peer,
              "want-list grew past the limit of " + config.maxWantsPerPeer() + " entries (flood)");
        }
        work.signal();
      } finally {
        lock.unlock();
      }
    }
    peerPendingBytes = m.pendingBytes();
    for (Block b : m.blocks()) {
      if (b.size() > config.maxBlockBytes()) {
        throw new PeerMisbehavedException(
            peer,
            "sent a block of " + b.size() + " bytes, over the limit of " + config.maxBlockBytes());
      }
      Cid cid;
      try {
        cid = b.computeCid();
      } catch (IllegalArgumentException e) {
        throw new PeerMisbehavedException(peer, "sent an unverifiable block: " + e.getMessage());
      }
      acceptBlock(cid, b.data().asReadOnlyBuffer());
    }
    for (BlockPresence p : m.presences()) {
      acceptPresence(p);
    }
  }

  private void acceptBlock(Cid cid, ByteBuffer data) throws PeerMisbehavedException {
    Taken taken;
    lock.lock();
    try {
      taken = take(cid);
      if (taken.isEmpty()) {
        if (recentlyAsked.contains(cid)) {
          return; // crossed our cancel on the wire, or a repeated copy
        }
        throw new PeerMisbehavedException(
            peer, "sent block " + cid + " that matches none of our wants (corrupt or unsolicited)");
      }
    } finally {
      lock.unlock();
    }
    engine.countReceived(data.remaining());
    if (taken.blocks() != null) {
      taken.blocks().forEach(f -> f.complete(data.duplicate()));
    }
    if (taken.haves() != null) {
      taken.haves().forEach(f -> f.complete(true));
    }
  }

  private void acceptPresence(BlockPresence p) {
    List<CompletableFuture<ByteBuffer>> blocks = null;
    List<CompletableFuture<Boolean>> haves;
    lock.lock();
    try {
      haves = haveWants.remove(p.cid());
      if (!p.have()) {
        blocks = blockWants.remove(p.cid());
      }
    } finally {
      lock.unlock();
    }
    if (haves != null) {
      haves.forEach(f -> f.complete(p.have()));
    }
    if (blocks != null) {
      DontHaveException e = new DontHaveException(peer, p.cid());
      blocks.forEach(f -> f.completeExceptionally(e));
    }
  }

  // ---- outbound messages ----

  private void run() {
    try {
      while (closedWith == null) {
        List<WantEntry> wants = new ArrayList<>();
        lock.lock();
        try {
          while (closedWith == null && outgoingWants.isEmpty() && ledger.isEmpty()) {
            work.await();
          }
          if (closedWith != null) {
            return;
          }
          wants.addAll(outgoingWants);
          outgoingWants.clear();
        } finally {
          lock.unlock();
        }
        sendRound(wants);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.INFO, "bitswap: cannot send to {0}: {1}", peer, e.getMessage());
      close(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
    }
  }

  /**
   * Sends our want updates and serves the peer's want-list, up to one message's worth of blocks.
   */
  private void sendRound(List<WantEntry> wants) throws IOException, InterruptedException {
    BitswapConfig config = engine.config();
    List<Block> blocks = new ArrayList<>();
    List<BlockPresence> presences = new ArrayList<>();
    long blockBytes = 0;
    boolean holdsUploadSlot = false;
    try {
      while (presences.size() < MAX_PRESENCES_PER_MESSAGE) {
        WantEntry e;
        long size;
        lock.lock();
        try {
          e = ledger.peek();
          if (e == null) {
            break;
          }
          size = engine.store().size(e.cid());
          if (e.type() == WantType.BLOCK
              && !blocks.isEmpty()
              && blockBytes + size > config.targetMessageBytes()) {
            break; // keeps messages under what peers accept (js: 2 MiB)
          }
          ledger.poll();
        } finally {
          lock.unlock();
        }
        if (e.type() == WantType.HAVE) {
          if (size >= 0 || e.sendDontHave()) {
            presences.add(new BlockPresence(e.cid(), size >= 0));
          }
          continue;
        }
        ByteBuffer data = size < 0 ? null : engine.store().get(e.cid());
        if (data == null || data.remaining() > config.maxBlockBytes()) {
          if (data != null) {
            LOG.log(
                Level.DEBUG,
                "bitswap: not serving {0} ({1} bytes) to {2}: over the block size limit",
                e.cid(),
                data.remaining(),
                peer);
          }
          if (e.sendDontHave()) {
            presences.add(new BlockPresence(e.cid(), false));
          }
          continue;
        }
        if (!holdsUploadSlot) {
          engine.uploadSlots().acquire();
          holdsUploadSlot = true;
        }
        limiter.acquire(data.remaining());
        blocks.add(Block.of(e.cid(), data));
        blockBytes += data.remaining();
      }
      if (wants.isEmpty() && blocks.isEmpty() && presences.isEmpty()) {
        return;
      }
      BitswapMessage m = new BitswapMessage(wants, false, blocks, presences, pendingBytes());
      write(m);
      engine.countSent(blocks.size(), blockBytes);
    } finally {
      if (holdsUploadSlot) {
        engine.uploadSlots().release();
      }
    }
  }

  private int pendingBytes() {
    long total = 0;
    lock.lock();
    try {
      for (PeerLedger.Want w : ledger.wants()) {
        if (w.entry().type() == WantType.BLOCK) {
          total += Math.max(0, engine.store().size(w.entry().cid()));
        }
      }
    } finally {
      lock.unlock();
    }
    return (int) Math.min(Integer.MAX_VALUE, total);
  }

  /** Writes on our outbound stream, opening it (again) when needed. */
  private void write(BitswapMessage m) throws IOException {
    for (int attempt = 0; ; attempt++) {
      if (out == null) {
        out = engine.host().newStream(peer, Bitswap.PROTOCOLS.toArray(String[]::new));
        legacy = out.protocol().equals(Bitswap.PROTOCOL_1_0_0);
      }
      try {
        out.out().write(m.encodeFrame(legacy));
        out.out().flush();
        return;
      } catch (IOException e) {
        out.reset();
        out = null;
        if (attempt > 0 || closedWith != null) {
          throw e;
        }
      }
    }
  }

  /** Fails every pending want with {@code cause} and stops the writer. Idempotent. */
  void close(IOException cause) {
    List<CompletableFuture<?>> pending = new ArrayList<>();
    lock.lock();
    try {
      if (closedWith != null) {
        return;
      }
      closedWith = cause;
      blockWants.values().forEach(pending::addAll);
      haveWants.values().forEach(pending::addAll);
      blockWants.clear();
      haveWants.clear();
      outgoingWants.clear();
      ledger.clear();
      work.signalAll();
    } finally {
      lock.unlock();
    }
    pending.forEach(f -> f.completeExceptionally(cause));
    Stream s = out;
    if (s != null) {
      s.reset();
    }
    if (writer != null && Thread.currentThread() != writer) {
      writer.interrupt();
    }
    engine.forget(this);
  }
}
