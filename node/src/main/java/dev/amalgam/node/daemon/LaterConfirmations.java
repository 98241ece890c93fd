package dev.amalgam.node.daemon;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Gossiped records whose signer could not be reached when they arrived, tried again later.
 * Gossipsub marks an ignored message as seen, so no later copy of it is validated; without a second
 * try the record stays unknown until its signer announces again (every 10 min). Each record is
 * tried after each of the delays in turn until one try settles it (confirmed or disproved); then it
 * is forgotten, as it is after the last delay. At most {@code maxPending} records wait at once, one
 * per key.
 */
final class LaterConfirmations {
  static final List<Duration> DELAYS =
      List.of(Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(40));
  static final int MAX_PENDING = 256;

  /** One more try; true when it settled the record, false to try again after the next delay. */
  interface Attempt {
    boolean settled();
  }

  private final ScheduledExecutorService timer;
  private final Executor work;
  private final List<Duration> delays;
  private final int maxPending;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();

  LaterConfirmations(
      ScheduledExecutorService timer, Executor work, List<Duration> delays, int maxPending) {
    if (delays.isEmpty()) {
      throw new IllegalArgumentException("at least one delay");
    }
    this.timer = timer;
    this.work = work;
    this.delays = List.copyOf(delays);
    this.maxPending = maxPending;
  }

  /**
   * Tries {@code attempt} after each delay until it settles; runs {@code gaveUp} after the last
   * unsettled try. False, and nothing scheduled, when {@code key} already waits or too many do.
   */
  boolean schedule(String key, Attempt attempt, Runnable gaveUp) {
    if (pending.size() >= maxPending || !pending.add(key)) {
      return false;
    }
    after(0, key, attempt, gaveUp);
    return true;
  }

  int pending() {
    return pending.size();
  }

  private void after(int i, String key, Attempt attempt, Runnable gaveUp) {
    try {
      timer.schedule(
          () -> work.execute(() -> run(i, key, attempt, gaveUp)),
          delays.get(i).toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      pending.remove(key); // the node is stopping
    }
  }

  private void run(int i, String key, Attempt attempt, Runnable gaveUp) {
    boolean settled;
    try {
      settled = attempt.settled();
    } catch (RuntimeException e) {
      settled = true;
    }
    if (settled) {
      pending.remove(key);
    } else if (i + 1 < delays.size()) {
      after(i + 1, key, attempt, gaveUp);
    } else {
      pending.remove(key);
      gaveUp.run();
    }
  }
}
