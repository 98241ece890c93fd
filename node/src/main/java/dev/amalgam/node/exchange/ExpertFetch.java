package dev.amalgam.node.exchange;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.exchange.ExpertAssembler;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import dev.amalgam.merge.fingerprint.Manifest;
import dev.amalgam.merge.fingerprint.ManifestParser;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.node.home.NodeStore;
import dev.amalgam.protocol.bitswap.Bitswap;
import dev.amalgam.protocol.bitswap.fetch.FetchConfig;
import dev.amalgam.protocol.bitswap.fetch.FetchException;
import dev.amalgam.protocol.bitswap.fetch.FetchListener;
import dev.amalgam.protocol.bitswap.fetch.FetchProgress;
import dev.amalgam.protocol.bitswap.fetch.FetchReport;
import dev.amalgam.protocol.bitswap.fetch.MultiPeerFetcher;
import dev.amalgam.protocol.kad.KadDht;
import dev.amalgam.protocol.peer.PeerId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;
import java.util.function.Predicate;

/**
 * {@code amalgam fetch}: finds the providers of an expert id in the DHT, gets the manifest (the
 * block named by the expert id), lays the HF directory out in place, and fetches the chunks from
 * every provider at once, each verified against its CID before it is written. Every chunk written
 * is recorded in the node database, so a fetch killed mid-way and run again with the same id,
 * output and filter asks only for the chunks still missing. A full fetch ends by fingerprinting the
 * result: its expert id must be the one asked for.
 *
 * <p>A <em>sparse</em> fetch (for a merge) lays out the whole expert but fetches only the side
 * files and the chunks of the tensors that match; its progress is kept under the same key as a
 * whole fetch into the same directory. The directory is renamed into place only once every chunk is
 * there, so a sparse result is never mistaken for a complete expert: it stays in the work directory
 * (a readable checkpoint whose other tensors are holes), and a later whole fetch into the same
 * directory resumes it and fetches only what is still missing.
 *
 * <p>A provider that serves a block failing verification is recorded in the node database; for the
 * configured penalty time later fetches leave it out unless no other peer provides the expert.
 */
public final class ExpertFetch {

  /**
   * What to fetch: an expert id, the output directory, an optional tensor filter, and whether the
   * fetch is sparse (whole layout, only the matching tensors fetched; see the class comment).
   */
  public record Request(String id, Path target, String tensors, boolean sparse) {
    public Request(String id, Path target, String tensors) {
      this(id, target, tensors, false);
    }
  }

  /** What a fetch reports while it runs. */
  public interface Listener {
    /** The layout is known: chunks and bytes to fetch now, and those a previous run wrote. */
    default void started(
        int providers, long chunks, long bytes, long resumedChunks, long resumedBytes) {}

    /** Cumulative chunks and bytes fetched by this run so far. */
    default void progress(long chunksDone, long bytesDone, int activePeers) {}

    default void dropped(String peer, String reason, boolean penalized) {}

    /** This client joined a fetch of the same request that was already running. */
    default void attached() {}
  }

  /**
   * How a finished fetch went. {@code partial}: the directory holds only some tensors (a filtered
   * fetch, or a sparse one that is not complete, whose directory is then the work directory).
   * {@code skipped}: providers left out because they are penalized.
   */
  public record Result(
      String id,
      Path directory,
      boolean partial,
      long chunksFetched,
      long bytesFetched,
      long chunksResumed,
      Map<String, Long> bytesByPeer,
      Map<String, String> dropped,
      List<String> skipped) {}

  private final KadDht dht;
  private final Bitswap bitswap;
  private final NodeStore store;
  private final FetchConfig config;
  private final ProviderPenalties penalties;

  /**
   * @param penalty how long a peer that served a corrupt block is left out of later fetches
   */
  public ExpertFetch(
      KadDht dht, Bitswap bitswap, NodeStore store, FetchConfig config, Duration penalty) {
    this.dht = dht;
    this.bitswap = bitswap;
    this.store = store;
    this.config = config;
    this.penalties = new ProviderPenalties(store, penalty);
  }

  /** The fetcher's settings for a {@code fetch_concurrency} (most chunks asked of one peer). */
  public static FetchConfig configFor(int fetchConcurrency) {
    FetchConfig d = FetchConfig.defaults();
    int max = Math.max(1, fetchConcurrency);
    return new FetchConfig(
        Math.min(d.initialWindow(), max),
        max,
        d.targetLatency(),
        d.blockTimeout(),
        d.maxTimeouts());
  }

  public Result run(Request r, Listener listener) throws IOException, InterruptedException {
    Cid id = parseId(r.id());
    Predicate<String> filter = TensorFilter.parse(r.tensors());
    Path target = ProviderLookup.checkTarget(r.target());
    boolean filtered = r.tensors() != null && !r.tensors().isEmpty();
    boolean partial = filtered && !r.sparse();
    List<String> skipped = new ArrayList<>();
    List<PeerId> providers =
        penalties.withoutPenalized(ProviderLookup.findProviders(dht, id, "expert"), skipped);
    Manifest manifest = fetchManifest(id, providers);
    if (partial && manifest.tensors().stream().noneMatch(t -> filter.test(t.name()))) {
      throw new IOException(
          "--tensors '" + r.tensors() + "' matches none of the tensors of expert " + id);
    }
    String key = target + (partial ? "|tensors=" + r.tensors() : "");
    Path work = workDirectory(target, id);
    boolean resumable = Files.isDirectory(work);
    ExpertAssembler assembler;
    try {
      if (!resumable) {
        store.clearFetchedChunks(id.toString(), key);
      }
      store.clearOtherFetchedChunks(id.toString(), target.toString(), key);
      assembler =
          ExpertAssembler.open(
              manifest,
              target,
              partial ? filter : name -> true,
              CheckpointWriter.DEFAULT_SHARD_BYTES);
    } catch (SQLException e) {
      throw new IOException("cannot read fetch progress: " + e.getMessage(), e);
    }
    try (assembler) {
      List<Cid> done = new ArrayList<>();
      try {
        store.fetchedChunks(id.toString(), key).forEach(c -> done.add(Cid.parse(c)));
      } catch (SQLException e) {
        throw new IOException("cannot read fetch progress: " + e.getMessage(), e);
      }
      assembler.markWritten(done);
      SequencedSet<Cid> missing = assembler.missingChunks();
      if (r.sparse() && filtered) {
        missing.retainAll(chunksOf(manifest, filter));
      }
      long resumed = assembler.chunks().size() - assembler.missingChunks().size();
      long missingBytes = bytesOf(manifest, missing);
      listener.started(
          providers.size(),
          missing.size(),
          missingBytes,
          resumed,
          assembler.totalBytes() - bytesOf(manifest, assembler.missingChunks()));
      FetchReport report = fetchChunks(id, providers, missing, assembler, key, listener);
      Path directory = target;
      if (r.sparse() && !assembler.missingChunks().isEmpty()) {
        directory = assembler.workDirectory();
        partial = true;
      } else {
        assembler.commit();
        check(id, target, partial);
        try {
          store.clearFetchedChunks(id.toString(), key);
        } catch (SQLException e) {
          // the directory is complete; stale rows are cleared by the next fetch to this target
        }
      }
      Map<String, Long> byPeer = new LinkedHashMap<>();
      report.bytesByPeer().forEach((p, b) -> byPeer.put(p.toString(), b));
      Map<String, String> dropped = new LinkedHashMap<>();
      report.droppedPeers().forEach((p, why) -> dropped.put(p.toString(), why));
      return new Result(
          id.toString(),
          directory,
          partial,
          report.blocks(),
          report.bytes(),
          resumed,
          byPeer,
          dropped,
          List.copyOf(skipped));
    }
  }

  private static Cid parseId(String text) throws IOException {
    try {
      Cid id = Cid.parse(text);
      if (id.codec() != Manifest.JSON_CODEC) {
        throw new IllegalArgumentException(
            "not a manifest CID (codec 0x" + Long.toHexString(id.codec()) + ")");
      }
      return id;
    } catch (IllegalArgumentException e) {
      throw new IOException("'" + text + "' is not an expert id: " + e.getMessage());
    }
  }

  /** Where {@link ExpertAssembler} lays the directory out before renaming it into place. */
  private static Path workDirectory(Path target, Cid id) {
    String s = id.toString();
    return target.resolveSibling(
        "." + target.getFileName() + ".fetch-" + s.substring(s.length() - 16));
  }

  /** The chunks of the tensors that match, and of every side file. */
  private static java.util.Set<Cid> chunksOf(Manifest m, Predicate<String> filter) {
    java.util.Set<Cid> out = new java.util.HashSet<>();
    m.tensors().stream().filter(t -> filter.test(t.name())).forEach(t -> out.addAll(t.chunks()));
    m.files().forEach(f -> out.addAll(f.chunks()));
    return out;
  }

  private Manifest fetchManifest(Cid id, List<PeerId> providers)
      throws IOException, InterruptedException {
    return ManifestParser.parse(
        ProviderLookup.fetchRoot(
            bitswap, id, providers, "expert", b -> ManifestParser.parse(b, id), penalties),
        id);
  }

  private static long bytesOf(Manifest m, SequencedSet<Cid> chunks) {
    Map<Cid, Long> sizes = new LinkedHashMap<>();
    for (Manifest.TensorEntry t : m.tensors()) {
      addSizes(sizes, t.chunks(), t.size());
    }
    for (Manifest.FileEntry f : m.files()) {
      addSizes(sizes, f.chunks(), f.size());
    }
    return chunks.stream().mapToLong(c -> sizes.getOrDefault(c, 0L)).sum();
  }

  private static void addSizes(Map<Cid, Long> sizes, List<Cid> cids, long size) {
    for (int k = 0; k < cids.size(); k++) {
      sizes.putIfAbsent(
          cids.get(k), Math.min(Manifest.CHUNK_SIZE, size - (long) k * Manifest.CHUNK_SIZE));
    }
  }

  private FetchReport fetchChunks(
      Cid id,
      List<PeerId> providers,
      SequencedSet<Cid> missing,
      ExpertAssembler assembler,
      String key,
      Listener listener)
      throws IOException, InterruptedException {
    try {
      return new MultiPeerFetcher(bitswap, config)
          .fetch(
              missing,
              providers,
              (cid, data) -> {
                assembler.write(cid, data);
                try {
                  store.putFetchedChunk(id.toString(), key, cid.toString());
                } catch (SQLException e) {
                  throw new IOException("cannot record fetch progress: " + e.getMessage(), e);
                }
              },
              bitswapListener(listener, penalties));
    } catch (FetchException e) {
      throw new FetchException(
          "fetch of expert "
              + id
              + " from "
              + providers.size()
              + " provider(s) failed: "
              + e.getMessage()
              + " (verified chunks are kept; run the same fetch again to resume)",
          e);
    }
  }

  /**
   * Passes the fetcher's progress and dropped peers on to {@code listener}; records the peers
   * dropped for serving blocks that failed verification in {@code penalties}.
   */
  static FetchListener bitswapListener(Listener listener, ProviderPenalties penalties) {
    return new FetchListener() {
      @Override
      public void progress(FetchProgress p) {
        listener.progress(p.blocksDone(), p.bytesDone(), p.activePeers());
      }

      @Override
      public void peerDropped(PeerId peer, String reason, boolean penalized) {
        if (penalized) {
          penalties.penalize(peer, reason);
        }
        listener.dropped(peer.toString(), reason, penalized);
      }
    };
  }

  /** A full fetch must fingerprint to the id asked for; a partial one must open as a checkpoint. */
  private static void check(Cid id, Path target, boolean partial) throws IOException {
    try (Checkpoint ckpt = Checkpoint.open(target)) {
      if (partial) {
        return;
      }
      Cid got = Fingerprinter.withAvailableCores().manifest(ckpt).id();
      if (!got.equals(id)) {
        throw new IOException(
            target + ": assembled expert has id " + got + ", not the requested " + id);
      }
    }
  }
}
