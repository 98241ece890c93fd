package dev.amalgam.node.daemon;

import dev.amalgam.node.exchange.ExpertFetch;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fetch the daemon runs for as long as it takes, whoever watches it: the clients that asked for
 * it (or joined it later) receive its events, and one that goes away only stops watching. A client
 * that joins late first gets the layout and the latest progress.
 */
public final class FetchJob implements ExpertFetch.Listener {
  /** The layout reported when the fetch started. */
  private record Started(
      int providers, long chunks, long bytes, long resumedChunks, long resumedBytes) {}

  /** Cumulative progress of the fetch. */
  private record Progress(long chunksDone, long bytesDone, int activePeers) {}

  private final ExpertFetch.Request request;
  private final long startedAt = System.currentTimeMillis();
  private final List<ExpertFetch.Listener> watchers = new CopyOnWriteArrayList<>();
  private final CompletableFuture<ExpertFetch.Result> result = new CompletableFuture<>();
  private Started started;
  private Progress progress = new Progress(0, 0, 0);

  FetchJob(ExpertFetch.Request request) {
    this.request = request;
  }

  public ExpertFetch.Request request() {
    return request;
  }

  /** The fetch's outcome; completes exceptionally when it fails. */
  public CompletableFuture<ExpertFetch.Result> result() {
    return result;
  }

  /** Starts sending the job's events to {@code w}, beginning with the state so far. */
  public synchronized void watch(ExpertFetch.Listener w) {
    if (started != null) {
      w.started(
          started.providers(),
          started.chunks(),
          started.bytes(),
          started.resumedChunks(),
          started.resumedBytes());
      w.progress(progress.chunksDone(), progress.bytesDone(), progress.activePeers());
    }
    watchers.add(w);
  }

  public void unwatch(ExpertFetch.Listener w) {
    watchers.remove(w);
  }

  /** A snapshot for {@code node status}. */
  public synchronized dev.amalgam.node.api.FetchJobView view() {
    return new dev.amalgam.node.api.FetchJobView(
        request.id(),
        request.target().toString(),
        request.tensors(),
        request.sparse(),
        startedAt,
        started == null ? 0 : started.chunks(),
        started == null ? 0 : started.bytes(),
        progress.chunksDone(),
        progress.bytesDone(),
        progress.activePeers(),
        watchers.size());
  }

  void finished(ExpertFetch.Result r) {
    result.complete(r);
  }

  void failed(Throwable e) {
    result.completeExceptionally(e);
  }

  @Override
  public void started(
      int providers, long chunks, long bytes, long resumedChunks, long resumedBytes) {
    synchronized (this) {
      started = new Started(providers, chunks, bytes, resumedChunks, resumedBytes);
    }
    tell(w -> w.started(providers, chunks, bytes, resumedChunks, resumedBytes));
  }

  @Override
  public void progress(long chunksDone, long bytesDone, int activePeers) {
    synchronized (this) {
      progress = new Progress(chunksDone, bytesDone, activePeers);
    }
    tell(w -> w.progress(chunksDone, bytesDone, activePeers));
  }

  @Override
  public void dropped(String peer, String reason, boolean penalized) {
    tell(w -> w.dropped(peer, reason, penalized));
  }

  /** A watcher that fails (its client went away) stops watching; the fetch goes on. */
  private void tell(java.util.function.Consumer<ExpertFetch.Listener> event) {
    for (ExpertFetch.Listener w : watchers) {
      try {
        event.accept(w);
      } catch (RuntimeException gone) {
        watchers.remove(w);
      }
    }
  }
}
