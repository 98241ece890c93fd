package dev.amalgam.protocol.bitswap.fetch;

import java.time.Duration;

/**
 * The per-peer want window starts at {@code initialWindow} blocks, grows by one on each response
 * faster than {@code targetLatency}, shrinks by one on a slower one and halves on a timeout, within
 * [1, {@code maxWindow}]. A peer that times out {@code maxTimeouts} times in a row is dropped.
 */
public record FetchConfig(
    int initialWindow,
    int maxWindow,
    Duration targetLatency,
    Duration blockTimeout,
    int maxTimeouts) {

  public FetchConfig {
    if (initialWindow < 1 || maxWindow < initialWindow || maxTimeouts < 1) {
      throw new IllegalArgumentException(
          "need 1 <= initialWindow <= maxWindow and maxTimeouts >= 1");
    }
  }

  public static FetchConfig defaults() {
    return new FetchConfig(4, 32, Duration.ofSeconds(2), Duration.ofSeconds(20), 3);
  }

  public FetchConfig withBlockTimeout(Duration timeout) {
    return new FetchConfig(initialWindow, maxWindow, targetLatency, timeout, maxTimeouts);
  }
}
