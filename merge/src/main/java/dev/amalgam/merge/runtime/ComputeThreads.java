package dev.amalgam.merge.runtime;

import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's intra-op thread count and per-thread autograd mode, set before each forward pass.
 *
 * <p>Small models run single-threaded: their ops are too short to gain from parallelism, and on a
 * shared machine OpenMP's spinning worker threads slow them down many times over (measured ~8x on 2
 * busy cores). Larger models use every core. An explicit {@code ai.djl.pytorch.num_threads} system
 * property always wins.
 */
final class ComputeThreads {

  static final long SINGLE_THREAD_BELOW_PARAMETERS = 20_000_000L;
  private static final String PROPERTY = "ai.djl.pytorch.num_threads";
  private static int current = -1;

  private ComputeThreads() {}

  static synchronized void useFor(long parameterCount) {
    if (System.getProperty(PROPERTY) != null) {
      return;
    }
    int threads =
        parameterCount < SINGLE_THREAD_BELOW_PARAMETERS
            ? 1
            : Runtime.getRuntime().availableProcessors();
    if (threads != current) {
      JniUtils.setNumThreads(threads);
      current = threads;
    }
  }

  /** Autograd mode is per thread in PyTorch; inference must not record graphs on any thread. */
  static void disableGradients() {
    JniUtils.setGradMode(false);
  }
}
