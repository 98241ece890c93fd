package dev.amalgam.protocol.bitswap.fetch;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.bitswap.Bitswap;
import dev.amalgam.protocol.bitswap.DontHaveException;
import dev.amalgam.protocol.bitswap.PeerMisbehavedException;
import dev.amalgam.protocol.peer.PeerId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches a list of blocks from several providers at once over bitswap. Each provider has its own
 * want window (see {@link FetchConfig}); a block is asked of one provider at a time. Once the queue
 * is empty, an idle provider takes over wants from the busiest one, so one slow peer cannot hold up
 * the tail. Blocks arrive verified by the engine and go to the {@link BlockSink} exactly once. A
 * provider that misbehaves is dropped and reported as penalized; one that fails or keeps timing out
 * is dropped; either way its outstanding blocks are asked elsewhere.
 *
 * <p>One instance runs one fetch at a time on the calling thread; resuming is the caller's job
 * (pass only the blocks still missing).
 */
public final class MultiPeerFetcher {
  private static final long PROGRESS_INTERVAL_NANOS = 100_000_000L;

  private final Bitswap bitswap;
  private final FetchConfig config;

  public MultiPeerFetcher(Bitswap bitswap, FetchConfig config) {
    this.bitswap = bitswap;
    this.config = config;
  }

  private sealed interface Event {
    Provider provider();

    Cid cid();
  }

  private record Delivered(Provider provider, Cid cid, ByteBuffer data, long latencyNanos)
      implements Event {}

  private record Failed(Provider provider, Cid cid, Throwable error) implements Event {}

  private static final class Provider {
    final PeerId peer;
    double window;
    final LinkedHashMap<Cid, Long> inflight = new LinkedHashMap<>();
    final Set<Cid> refused = new HashSet<>();
    int timeoutsInARow;
    long bytes;
    boolean active = true;

    Provider(PeerId peer, int window) {
      this.peer = peer;
      this.window = window;
    }

    boolean hasRoom() {
      return active && inflight.size() < (int) window;
    }
  }

  /** Fetches every block of {@code cids} (duplicates once) from {@code providers}. */
  public FetchReport fetch(
      Collection<Cid> cids, Collection<PeerId> providers, BlockSink sink, FetchListener listener)
      throws IOException, InterruptedException {
    return new Run(cids, providers, sink, listener).run();
  }

  private final class Run {
    final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    final ArrayDeque<Cid> todo = new ArrayDeque<>();
    final Set<Cid> queued = new HashSet<>();
    final Set<Cid> done = new HashSet<>();
    final Map<Cid, Set<Provider>> inflightAt = new LinkedHashMap<>();
    final Map<Cid, Integer> priority = new HashMap<>();
    final List<Provider> providers = new ArrayList<>();
    final Map<PeerId, String> dropped = new LinkedHashMap<>();
    final BlockSink sink;
    final FetchListener listener;
    final long total;
    final long start = System.nanoTime();
    long bytes;
    long lastProgress;

    Run(Collection<Cid> cids, Collection<PeerId> peers, BlockSink sink, FetchListener listener) {
      this.sink = sink;
      this.listener = listener;
      LinkedHashSet<Cid> unique = new LinkedHashSet<>(cids);
      int p = unique.size();
      for (Cid c : unique) {
        todo.add(c);
        queued.add(c);
        priority.put(c, Math.max(1, p--));
      }
      total = unique.size();
      for (PeerId peer : new LinkedHashSet<>(peers)) {
        providers.add(new Provider(peer, config.initialWindow()));
      }
    }

    FetchReport run() throws IOException, InterruptedException {
      try {
        while (done.size() < total) {
          dispatch();
          checkStillPossible();
          Event e = events.poll(100, TimeUnit.MILLISECONDS);
          while (e != null) {
            handle(e);
            e = events.poll();
          }
          maybeReportProgress(false);
        }
        maybeReportProgress(true);
        Map<PeerId, Long> byPeer = new LinkedHashMap<>();
        providers.forEach(p -> byPeer.put(p.peer, p.bytes));
        return new FetchReport(
            total, bytes, Duration.ofNanos(System.nanoTime() - start), byPeer, dropped);
      } finally {
        for (Provider p : providers) {
          for (Cid c : List.copyOf(p.inflight.keySet())) {
            bitswap.cancel(p.peer, c);
          }
        }
      }
    }

    private void dispatch() {
      for (Provider p : providers) {
        while (p.hasRoom()) {
          Cid next = nextFor(p);
          if (next == null) {
            break;
          }
          ask(p, next);
        }
      }
    }

    /**
     * The next queued block this provider has not refused. When the queue is empty, the provider
     * takes over the last-asked want of the busiest other provider (the one that provider would
     * serve last), so a fast peer is not left idle while a slow one holds the tail.
     */
    private Cid nextFor(Provider p) {
      for (var it = todo.iterator(); it.hasNext(); ) {
        Cid c = it.next();
        if (!p.refused.contains(c)) {
          it.remove();
          queued.remove(c);
          return c;
        }
      }
      if (!todo.isEmpty()) {
        return null;
      }
      Provider busiest = null;
      for (Provider q : providers) {
        if (q != p
            && q.active
            && (busiest == null || q.inflight.size() > busiest.inflight.size())) {
          busiest = q;
        }
      }
      if (busiest == null || busiest.inflight.size() <= p.inflight.size() + 1) {
        return null;
      }
      for (Cid c : busiest.inflight.sequencedKeySet().reversed()) {
        if (!p.refused.contains(c)) {
          unassign(busiest, c);
          bitswap.cancel(busiest.peer, c);
          return c;
        }
      }
      return null;
    }

    private void unassign(Provider p, Cid cid) {
      p.inflight.remove(cid);
      Set<Provider> at = inflightAt.get(cid);
      if (at != null) {
        at.remove(p);
        if (at.isEmpty()) {
          inflightAt.remove(cid);
        }
      }
    }

    private void ask(Provider p, Cid cid) {
      long sent = System.nanoTime();
      p.inflight.put(cid, sent);
      inflightAt.computeIfAbsent(cid, c -> new LinkedHashSet<>()).add(p);
      bitswap
          .wantBlock(p.peer, cid, priority.get(cid))
          .orTimeout(config.blockTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .whenComplete(
              (data, err) ->
                  events.add(
                      err == null
                          ? new Delivered(p, cid, data, System.nanoTime() - sent)
                          : new Failed(p, cid, unwrap(err))));
    }

    private void handle(Event e) throws IOException {
      Provider p = e.provider();
      if (!p.inflight.containsKey(e.cid())) {
        return; // already settled: the provider was dropped or the want moved elsewhere
      }
      unassign(p, e.cid());
      switch (e) {
        case Delivered d -> delivered(d);
        case Failed f -> failed(f);
      }
    }

    private void delivered(Delivered d) throws IOException {
      Provider p = d.provider();
      p.timeoutsInARow = 0;
      if (d.latencyNanos() <= config.targetLatency().toNanos()) {
        p.window = Math.min(config.maxWindow(), p.window + 1);
      } else {
        p.window = Math.max(1, p.window - 1);
      }
      if (!done.add(d.cid())) {
        return;
      }
      int size = d.data().remaining();
      sink.accept(d.cid(), d.data());
      bytes += size;
      p.bytes += size;
      Set<Provider> others = inflightAt.remove(d.cid());
      if (others != null) {
        for (Provider o : others) {
          o.inflight.remove(d.cid());
          bitswap.cancel(o.peer, d.cid());
        }
      }
    }

    private void failed(Failed f) {
      Provider p = f.provider();
      Throwable err = f.error();
      if (err instanceof CancellationException) {
        requeue(f.cid());
        return;
      }
      if (err instanceof TimeoutException) {
        bitswap.cancel(p.peer, f.cid());
        p.window = Math.max(1, p.window / 2);
        requeue(f.cid());
        if (++p.timeoutsInARow >= config.maxTimeouts()) {
          drop(p, "timed out " + p.timeoutsInARow + " times in a row", false);
        }
        return;
      }
      if (err instanceof DontHaveException) {
        p.refused.add(f.cid());
        requeue(f.cid());
        return;
      }
      if (err instanceof PeerMisbehavedException) {
        requeue(f.cid());
        drop(p, err.getMessage(), true);
        return;
      }
      requeue(f.cid());
      drop(p, String.valueOf(err.getMessage()), false);
    }

    private void requeue(Cid cid) {
      if (!done.contains(cid) && !inflightAt.containsKey(cid) && queued.add(cid)) {
        todo.addFirst(cid);
      }
    }

    private void drop(Provider p, String reason, boolean penalized) {
      if (!p.active) {
        return;
      }
      p.active = false;
      dropped.put(p.peer, reason);
      for (Cid c : List.copyOf(p.inflight.keySet())) {
        unassign(p, c);
        bitswap.cancel(p.peer, c);
        requeue(c);
      }
      listener.peerDropped(p.peer, reason, penalized);
    }

    private void checkStillPossible() throws FetchException {
      List<Provider> active = providers.stream().filter(p -> p.active).toList();
      if (active.isEmpty()) {
        throw new FetchException(
            (total - done.size())
                + " of "
                + total
                + " blocks missing: no provider left"
                + (dropped.isEmpty() ? "" : " (dropped: " + dropped + ")"));
      }
      if (inflightAt.isEmpty()) {
        for (Cid c : todo) {
          if (active.stream().allMatch(p -> p.refused.contains(c))) {
            throw new FetchException("no provider has block " + c);
          }
        }
      }
    }

    private void maybeReportProgress(boolean last) {
      long now = System.nanoTime();
      if (!last && now - lastProgress < PROGRESS_INTERVAL_NANOS) {
        return;
      }
      lastProgress = now;
      double secs = Math.max(1e-9, (now - start) / 1e9);
      int active = (int) providers.stream().filter(p -> p.active).count();
      listener.progress(
          new FetchProgress(
              done.size(), total, bytes, bytes / secs, active, Duration.ofNanos(now - start)));
    }
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
