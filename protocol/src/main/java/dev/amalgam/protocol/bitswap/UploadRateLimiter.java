package dev.amalgam.protocol.bitswap;

/**
 * Paces one peer's uploads: each send is scheduled after the previous one has drained at the
 * configured rate, and the caller sleeps until its slot (a virtual thread, so sleeping is cheap).
 */
final class UploadRateLimiter {
  private final long bytesPerSecond;
  private long nextFreeNanos = System.nanoTime();

  UploadRateLimiter(long bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
  }

  void acquire(long bytes) throws InterruptedException {
    if (bytesPerSecond <= 0) {
      return;
    }
    long now = System.nanoTime();
    long start = Math.max(now, nextFreeNanos);
    nextFreeNanos = start + (long) (bytes * 1e9 / bytesPerSecond);
    long wait = start - now;
    if (wait > 0) {
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
  }
}
