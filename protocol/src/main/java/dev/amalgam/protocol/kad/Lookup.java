package dev.amalgam.protocol.kad;

import dev.amalgam.protocol.peer.PeerId;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One iterative lookup: keeps up to alpha queries in flight towards the k closest peers seen so far
 * and stops when those k have all answered, when the sink asks to stop, or at the deadline. Peers
 * that fail or time out are dropped from the candidate set and reported.
 */
final class Lookup {
  /** One RPC to one peer; must honour its own timeout. */
  interface Query {
    KadMessage ask(PeerId peer) throws IOException;
  }

  /** Sees every reply with the hop count of the peer that sent it; returns true to stop. */
  interface Sink {
    boolean accept(PeerId from, KadMessage reply, int hops);
  }

  /** The k closest peers that answered, nearest first, and how the lookup went. */
  record Result(List<PeerId> closest, int hops, int queried, int failed, boolean stoppedBySink) {}

  private enum State {
    NEW,
    WAITING,
    ANSWERED,
    FAILED
  }

  private static final class Candidate {
    final PeerId peer;
    final KadId id;
    final int hops;
    State state = State.NEW;

    Candidate(PeerId peer, int hops) {
      this.peer = peer;
      this.id = KadId.of(peer.bytes());
      this.hops = hops;
    }
  }

  private record Outcome(Candidate from, KadMessage reply, Exception error) {}

  private final KadId target;
  private final PeerId self;
  private final int k;
  private final int alpha;
  private final ExecutorService executor;

  Lookup(KadId target, PeerId self, int k, int alpha, ExecutorService executor) {
    this.target = target;
    this.self = self;
    this.k = k;
    this.alpha = alpha;
    this.executor = executor;
  }

  Result run(
      List<PeerId> seeds,
      Query query,
      Sink sink,
      Consumer<KadPeer> learned,
      Consumer<PeerId> failedPeer,
      Duration timeout)
      throws InterruptedException {
    Map<PeerId, Candidate> all = new HashMap<>();
    for (PeerId s : seeds) {
      if (!s.equals(self)) {
        all.putIfAbsent(s, new Candidate(s, 1));
      }
    }
    BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    int inFlight = 0;
    int queried = 0;
    int failed = 0;
    boolean stopped = false;
    Comparator<Candidate> byDistance = (a, b) -> target.compareDistance(a.id, b.id);
    while (!stopped) {
      List<Candidate> nearest =
          all.values().stream()
              .filter(c -> c.state != State.FAILED)
              .sorted(byDistance)
              .limit(k)
              .toList();
      if (nearest.stream().allMatch(c -> c.state == State.ANSWERED)) {
        break;
      }
      for (Candidate c : nearest) {
        if (inFlight >= alpha) {
          break;
        }
        if (c.state == State.NEW) {
          c.state = State.WAITING;
          inFlight++;
          queried++;
          executor.execute(
              () -> {
                try {
                  outcomes.add(new Outcome(c, query.ask(c.peer), null));
                } catch (Exception e) {
                  outcomes.add(new Outcome(c, null, e));
                }
              });
        }
      }
      if (inFlight == 0) {
        break;
      }
      long left = deadline - System.nanoTime();
      Outcome o = left > 0 ? outcomes.poll(left, TimeUnit.NANOSECONDS) : null;
      if (o == null) {
        break;
      }
      inFlight--;
      if (o.error != null) {
        o.from.state = State.FAILED;
        failed++;
        failedPeer.accept(o.from.peer);
        continue;
      }
      o.from.state = State.ANSWERED;
      for (KadPeer p : o.reply.closerPeers()) {
        learned.accept(p);
        if (!p.id().equals(self) && !all.containsKey(p.id())) {
          all.put(p.id(), new Candidate(p.id(), o.from.hops + 1));
        }
      }
      stopped = sink.accept(o.from.peer, o.reply, o.from.hops);
    }
    List<Candidate> answered =
        all.values().stream()
            .filter(c -> c.state == State.ANSWERED)
            .sorted(byDistance)
            .limit(k)
            .toList();
    List<PeerId> closest = new ArrayList<>();
    answered.forEach(c -> closest.add(c.peer));
    int hops = answered.isEmpty() ? 0 : answered.get(0).hops;
    return new Result(closest, hops, queried, failed, stopped);
  }
}
