package dev.amalgam.node.cli;

import dev.amalgam.node.exchange.ExpertFetch;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "fetch",
    mixinStandardHelpOptions = true,
    description = {
      "Fetch an expert by id from every peer that provides it into a new HF directory.",
      "Every chunk is verified against its CID and written in place; a fetch that is stopped",
      "resumes when run again with the same ID, -o and --tensors. Runs through the node daemon",
      "when one runs on the home (the fetch goes on there if this command is stopped, and running",
      "it again joins it), else joins the federation for the time of the fetch. Peers penalized",
      "for serving corrupt blocks are left out while another peer provides the expert.",
      "Prints the directory on success."
    })
final class FetchCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ID", description = "Expert id (as listed by 'amalgam experts').")
  String id;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "DIR",
      description = "Directory to create (must not exist).")
  Path out;

  @Option(
      names = "--tensors",
      paramLabel = "FILTER",
      description =
          "Only the tensors whose names match: a glob (e.g. 'model.layers.{0,1}.*') or 're:' and"
              + " a regular expression. Side files (config, tokenizer) always come along.")
  String tensors;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path dir = home.resolve();
    Path target = out.toAbsolutePath().normalize();
    PrintWriter err = spec.commandLine().getErr();
    Progress progress =
        new Progress(new ProgressBar(err, "fetch", "chunks", ProgressBar.onTerminal()), err);
    ExpertFetch.Result r;
    try {
      r = FetchRunner.run(dir, new ExpertFetch.Request(id, target, tensors), progress);
    } finally {
      progress.bar.finish();
    }
    err.println(
        "fetched "
            + r.id()
            + (r.partial() ? " (tensors " + tensors + ")" : "")
            + ": "
            + r.chunksFetched()
            + " chunks, "
            + Bytes.human(r.bytesFetched())
            + " from "
            + r.bytesByPeer().values().stream().filter(b -> b > 0).count()
            + " peer(s), "
            + r.chunksResumed()
            + " chunks resumed"
            + (r.dropped().isEmpty() ? "" : ", dropped " + r.dropped())
            + (r.skipped().isEmpty() ? "" : ", skipped penalized " + r.skipped()));
    spec.commandLine().getOut().println(r.directory());
    return Amalgam.EXIT_OK;
  }

  /** Feeds the fetch's events to the progress bar. */
  static final class Progress implements ExpertFetch.Listener {
    final ProgressBar bar;
    private final PrintWriter err;
    private long chunks;
    private long bytes;

    Progress(ProgressBar bar, PrintWriter err) {
      this.bar = bar;
      this.err = err;
    }

    @Override
    public void attached() {
      err.println("joined the fetch already running in the node daemon");
      err.flush();
    }

    @Override
    public void started(
        int providers, long chunks, long bytes, long resumedChunks, long resumedBytes) {
      bar.detail(
          providers + " peers" + (resumedChunks > 0 ? ", " + resumedChunks + " resumed" : ""));
      bar.start(chunks, bytes);
    }

    @Override
    public synchronized void progress(long chunksDone, long bytesDone, int activePeers) {
      bar.detail(activePeers + " peers");
      bar.advance(chunksDone - chunks, bytesDone - bytes);
      chunks = chunksDone;
      bytes = bytesDone;
    }

    @Override
    public void dropped(String peer, String reason, boolean penalized) {
      bar.detail("dropped " + peer + (penalized ? " (penalized)" : ""));
    }
  }
}
