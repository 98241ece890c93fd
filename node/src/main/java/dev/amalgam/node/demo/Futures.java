package dev.amalgam.node.demo;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waits for a future and rethrows what its task threw as the demo's own failure. */
final class Futures {
  private Futures() {}

  static <T> T get(Future<T> f) throws IOException, InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof InterruptedException ie) {
        throw ie;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new DemoException(String.valueOf(cause.getMessage()), cause);
    }
  }
}
