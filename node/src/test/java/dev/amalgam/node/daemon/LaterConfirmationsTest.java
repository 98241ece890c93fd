package dev.amalgam.node.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LaterConfirmationsTest {
  private static final List<Duration> DELAYS =
      List.of(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(30));
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();
  private final LaterConfirmations later = new LaterConfirmations(timer, work, DELAYS, 2);

  @AfterEach
  void stop() {
    timer.shutdownNow();
    work.shutdownNow();
  }

  @Test
  void triesUntilATrySettlesTheRecordAndThenForgetsIt() throws Exception {
    AtomicInteger tries = new AtomicInteger();
    CountDownLatch settled = new CountDownLatch(1);
    assertThat(
            later.schedule(
                "card",
                () -> {
                  if (tries.incrementAndGet() < 2) {
                    return false;
                  }
                  settled.countDown();
                  return true;
                },
                () -> {
                  throw new AssertionError("gave up");
                }))
        .isTrue();
    assertThat(settled.await(5, TimeUnit.SECONDS)).isTrue();
    awaitNothingPending();
    Thread.sleep(100);
    assertThat(tries).hasValue(2);
  }

  @Test
  void givesUpAfterOneTryPerDelay() throws Exception {
    AtomicInteger tries = new AtomicInteger();
    CountDownLatch gaveUp = new CountDownLatch(1);
    later.schedule(
        "card",
        () -> {
          tries.incrementAndGet();
          return false;
        },
        gaveUp::countDown);
    assertThat(gaveUp.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(tries).hasValue(DELAYS.size());
    awaitNothingPending();
  }

  @Test
  void oneWaitPerKeyAndABoundOnAllOfThem() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    LaterConfirmations.Attempt blocked =
        () -> {
          try {
            return release.await(5, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            return true;
          }
        };
    assertThat(later.schedule("a", blocked, () -> {})).isTrue();
    assertThat(later.schedule("a", blocked, () -> {})).as("same key").isFalse();
    assertThat(later.schedule("b", blocked, () -> {})).isTrue();
    assertThat(later.schedule("c", blocked, () -> {})).as("over the bound").isFalse();
    release.countDown();
    awaitNothingPending();
    assertThat(later.schedule("c", blocked, () -> {})).isTrue();
  }

  @Test
  void aTryThatThrowsCountsAsSettled() throws Exception {
    AtomicInteger tries = new AtomicInteger();
    later.schedule(
        "card",
        () -> {
          tries.incrementAndGet();
          throw new IllegalStateException("boom");
        },
        () -> {});
    awaitNothingPending();
    Thread.sleep(100);
    assertThat(tries).hasValue(1);
  }

  private void awaitNothingPending() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (later.pending() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(later.pending()).isZero();
  }
}
