package dev.amalgam.node.daemon;

import dev.amalgam.node.api.FetchJobView;
import dev.amalgam.node.exchange.ExpertFetch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

/**
 * The daemon's fetches, one per output directory. A request for a directory that a running fetch of
 * the same expert, filter and mode writes joins that fetch instead of starting a second one; the
 * result of a finished fetch is kept for a while, so a client that asks again after it ended gets
 * that result.
 */
public final class FetchJobs {
  private static final int FINISHED_KEPT = 32;

  /** Runs one fetch, reporting to the job. */
  interface Runner {
    ExpertFetch.Result run(ExpertFetch.Request r, ExpertFetch.Listener listener) throws Exception;
  }

  /** The job a request joined, and whether it was already running (or done) before. */
  public record Joined(FetchJob job, boolean attached) {}

  private final ExecutorService executor;
  private final Runner runner;
  private final Map<Path, FetchJob> running = new LinkedHashMap<>();
  private final Map<Path, FetchJob> finished =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, FetchJob> eldest) {
          return size() > FINISHED_KEPT;
        }
      };

  FetchJobs(ExecutorService executor, Runner runner) {
    this.executor = executor;
    this.runner = runner;
  }

  synchronized Joined join(ExpertFetch.Request given) throws IOException {
    Path target = given.target().toAbsolutePath().normalize();
    ExpertFetch.Request r =
        new ExpertFetch.Request(given.id(), target, given.tensors(), given.sparse());
    FetchJob job = running.get(target);
    if (job != null) {
      if (!sameRequest(job.request(), r)) {
        throw new IOException(
            "-o "
                + target
                + ": a running fetch of expert "
                + job.request().id()
                + (job.request().tensors() == null
                    ? ""
                    : " (tensors " + job.request().tensors() + ")")
                + " writes there; wait for it or choose another directory");
      }
      return new Joined(job, true);
    }
    FetchJob done = finished.get(target);
    if (done != null
        && sameRequest(done.request(), r)
        && done.result().isDone()
        && !done.result().isCompletedExceptionally()
        && Files.exists(done.result().join().directory())) {
      return new Joined(done, true);
    }
    FetchJob fresh = new FetchJob(r);
    running.put(target, fresh);
    executor.execute(() -> run(fresh));
    return new Joined(fresh, false);
  }

  private void run(FetchJob job) {
    ExpertFetch.Result result = null;
    Throwable failure = null;
    try {
      result = runner.run(job.request(), job);
    } catch (Throwable e) {
      failure = e;
    }
    synchronized (this) {
      running.remove(job.request().target());
      if (result != null) {
        finished.put(job.request().target(), job);
      }
    }
    if (result != null) {
      job.finished(result);
    } else {
      job.failed(failure);
    }
  }

  private static boolean sameRequest(ExpertFetch.Request a, ExpertFetch.Request b) {
    return a.id().equals(b.id())
        && Objects.equals(emptyToNull(a.tensors()), emptyToNull(b.tensors()))
        && a.sparse() == b.sparse();
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  synchronized List<FetchJobView> running() {
    return running.values().stream().map(FetchJob::view).toList();
  }
}
