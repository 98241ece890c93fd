package dev.amalgam.protocol.kad;

/** A token bucket refilled at {@code rate} per second up to {@code burst}. */
public final class TokenBucket {
  private final double rate;
  private final double burst;
  private double tokens;
  private long last = System.nanoTime();

  public TokenBucket(double rate, double burst) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
  }

  public synchronized boolean tryTake() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - last) * rate / 1e9);
    last = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
