package dev.amalgam.bench;

import dev.amalgam.merge.checkpoint.AtomicDirectory;
import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.TensorInfo;
import dev.amalgam.merge.exchange.CheckpointChunkSource;
import dev.amalgam.merge.exchange.ExpertAssembler;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import dev.amalgam.merge.fingerprint.Manifest;
import dev.amalgam.merge.fingerprint.ManifestParser;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.bitswap.Bitswap;
import dev.amalgam.protocol.bitswap.BitswapConfig;
import dev.amalgam.protocol.bitswap.BlockStore;
import dev.amalgam.protocol.bitswap.MemoryBlockStore;
import dev.amalgam.protocol.bitswap.fetch.FetchConfig;
import dev.amalgam.protocol.bitswap.fetch.FetchListener;
import dev.amalgam.protocol.bitswap.fetch.FetchReport;
import dev.amalgam.protocol.bitswap.fetch.MultiPeerFetcher;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Bitswap fetch throughput on loopback, 1 MiB blocks: one provider against one raw libp2p stream
 * moving the same bytes; one, two and three providers each rate-limited (showing the scaling); and
 * Helia fetching the same blocks from one Amalgam provider. Prints a Markdown table.
 *
 * <p>Run from the repository root: {@code bench/fetch.sh [MiB] [MiB/s per provider] [runs]}.
 */
public final class FetchBench {
  public static void main(String[] args) throws Exception {
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 128;
    long rate = (args.length > 1 ? Long.parseLong(args[1]) : 16) << 20;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    MemoryBlockStore store = new MemoryBlockStore();
    List<Cid> cids = new ArrayList<>();
    Random r = new Random(1);
    for (int i = 0; i < mib; i++) {
      byte[] b = new byte[1 << 20];
      r.nextBytes(b);
      cids.add(store.putRaw(b));
    }
    long bytes = (long) mib << 20;
    System.out.println("| transfer | MiB | best of " + runs + " (s) | MiB/s |");
    System.out.println("|---|---:|---:|---:|");
    row(
        "one raw libp2p stream (Noise + yamux)",
        mib,
        Libp2pThroughputBench.best(runs, () -> Libp2pThroughputBench.amalgamOnce(bytes)));
    row(
        "bitswap, 1 provider, unlimited",
        mib,
        Libp2pThroughputBench.best(runs, () -> fetch(store, cids, 1, 0)));
    int limitedMib = (int) Math.min(mib, 3 * 4 * (rate >> 20)); // ~4 s at one provider
    List<Cid> limited = cids.subList(0, limitedMib);
    for (int n = 1; n <= 3; n++) {
      int providers = n;
      row(
          "bitswap, " + n + " provider(s), each limited to " + (rate >> 20) + " MiB/s",
          limitedMib,
          Libp2pThroughputBench.best(runs, () -> fetch(store, limited, providers, rate)));
    }
    Path expert = writeExpert(Path.of("bench/out/fetch-expert"), mib);
    row(
        "expert in place: 2 providers serve mapped checkpoint, fetcher assembles HF dir",
        mib,
        Libp2pThroughputBench.best(runs, () -> fetchExpert(expert, 2)));
    row(
        "Helia 7 fetching from 1 Amalgam provider",
        mib,
        Libp2pThroughputBench.best(runs, () -> heliaFetch(store, cids)));
    row(
        "Amalgam fetching from 1 Helia 7 provider",
        mib,
        Libp2pThroughputBench.best(runs, () -> amalgamFromHelia(mib)));
    row(
        "Helia 7 fetching from 1 Helia 7 provider",
        mib,
        Libp2pThroughputBench.best(runs, () -> heliaFromHelia(mib)));
  }

  private static void row(String what, int mib, double seconds) {
    System.out.printf(
        Locale.ROOT, "| %s | %d | %.3f | %.1f |%n", what, mib, seconds, mib / seconds);
  }

  private static double fetch(MemoryBlockStore store, List<Cid> cids, int providers, long rate)
      throws Exception {
    List<Host> hosts = new ArrayList<>();
    List<Bitswap> swaps = new ArrayList<>();
    try (Host client = new Host(HostConfig.defaults())) {
      Bitswap mine = Bitswap.start(client, new MemoryBlockStore(), BitswapConfig.defaults());
      swaps.add(mine);
      List<PeerId> peers = new ArrayList<>();
      for (int i = 0; i < providers; i++) {
        Host h = new Host(HostConfig.defaults());
        hosts.add(h);
        h.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
        swaps.add(Bitswap.start(h, store, BitswapConfig.defaults().withUploadRate(rate)));
        client.dial(h.listenAddresses().get(0).withPeerId(h.peerId()));
        peers.add(h.peerId());
      }
      FetchReport report =
          new MultiPeerFetcher(mine, FetchConfig.defaults())
              .fetch(cids, peers, (cid, data) -> {}, FetchListener.NONE);
      if (Boolean.getBoolean("fetchbench.verbose")) {
        System.err.println(
            providers
                + " providers: MiB by peer "
                + report.bytesByPeer().values().stream().map(b -> b >> 20).toList()
                + " in "
                + report.elapsed());
      }
      return report.elapsed().toNanos() / 1e9;
    } finally {
      swaps.forEach(Bitswap::close);
      hosts.forEach(Host::close);
    }
  }

  /** A BF16 checkpoint of about {@code mib} MiB in 8 tensors, written once. */
  private static Path writeExpert(Path dir, int mib) throws Exception {
    if (Files.isDirectory(dir)) {
      return dir;
    }
    List<TensorInfo> plan = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      plan.add(TensorInfo.of("model.layers." + i + ".weight", DType.BF16, mib / 8 * 512, 1024));
    }
    try (CheckpointWriter w =
        CheckpointWriter.create(dir, plan, CheckpointWriter.DEFAULT_SHARD_BYTES)) {
      Random r = new Random(3);
      for (TensorInfo t : plan) {
        float[] v = new float[(int) t.elementCount()];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) r.nextGaussian();
        }
        w.writeFloats(t.name(), v);
      }
      w.writeFile("config.json", "{\"model_type\":\"bench\"}".getBytes(StandardCharsets.UTF_8));
      return w.commit(false);
    }
  }

  /**
   * The wiring the node uses for {@code amalgam fetch}: providers serve a checkpoint's chunks from
   * its mapping ({@link CheckpointChunkSource} adapted to a {@link BlockStore}); the fetcher gets
   * the manifest, then every chunk, writing each into the preallocated files ({@link
   * ExpertAssembler}); the result's expert id must equal the requested id.
   */
  private static double fetchExpert(Path expert, int providers) throws Exception {
    Path out = expert.resolveSibling("fetch-expert-copy");
    AtomicDirectory.deleteTree(out);
    List<AutoCloseable> open = new ArrayList<>();
    try (Checkpoint ckpt = Checkpoint.open(expert);
        Host client = new Host(HostConfig.defaults())) {
      Manifest manifest = Fingerprinter.withAvailableCores().manifest(ckpt);
      CheckpointChunkSource source = CheckpointChunkSource.of(ckpt, manifest);
      BlockStore store =
          new BlockStore() {
            @Override
            public long size(Cid cid) {
              return source.size(cid);
            }

            @Override
            public ByteBuffer get(Cid cid) {
              return source.get(cid);
            }
          };
      Bitswap mine = Bitswap.start(client, new MemoryBlockStore(), BitswapConfig.defaults());
      open.add(mine);
      List<PeerId> peers = new ArrayList<>();
      for (int i = 0; i < providers; i++) {
        Host h = new Host(HostConfig.defaults());
        open.add(h);
        h.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
        open.add(Bitswap.start(h, store, BitswapConfig.defaults()));
        client.dial(h.listenAddresses().get(0).withPeerId(h.peerId()));
        peers.add(h.peerId());
      }
      long start = System.nanoTime();
      Cid id = manifest.id();
      ByteBuffer doc = mine.wantBlock(peers.getFirst(), id, 1).get(30, TimeUnit.SECONDS);
      byte[] bytes = new byte[doc.remaining()];
      doc.get(bytes);
      Manifest fetched = ManifestParser.parse(bytes, id);
      try (ExpertAssembler assembler = ExpertAssembler.open(fetched, out)) {
        new MultiPeerFetcher(mine, FetchConfig.defaults())
            .fetch(assembler.missingChunks(), peers, assembler::write, FetchListener.NONE);
        assembler.commit();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      try (Checkpoint copy = Checkpoint.open(out)) {
        Cid copyId = Fingerprinter.withAvailableCores().manifest(copy).id();
        if (!copyId.equals(id)) {
          throw new IllegalStateException("assembled expert has id " + copyId + ", wanted " + id);
        }
      }
      return seconds;
    } finally {
      for (AutoCloseable c : open.reversed()) {
        c.close();
      }
    }
  }

  /** A Helia node (interop/helia-peer.mjs) as a child process, driven line by line. */
  private static final class HeliaPeer implements AutoCloseable {
    final Process process;
    final BufferedReader in;
    final OutputStream out;
    final String address;

    HeliaPeer() throws Exception {
      Path interop = Path.of("interop").toAbsolutePath();
      process =
          new ProcessBuilder(interop.resolve("node_modules/.bin/node").toString(), "helia-peer.mjs")
              .directory(interop.toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      in =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      out = process.getOutputStream();
      address = expect(in, "LISTENING ").substring(10);
    }

    void send(String line) throws Exception {
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** Asks for every block from the peer at {@code addr}; returns the seconds until the last. */
    double get(String addr, List<Cid> cids) throws Exception {
      StringBuilder cmd = new StringBuilder("get ").append(addr);
      cids.forEach(c -> cmd.append(' ').append(c));
      long start = System.nanoTime();
      send(cmd.toString());
      for (int i = 0; i < cids.size(); i++) {
        expect(in, "GOT ");
      }
      return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      process.waitFor();
    }
  }

  /** Helia dials an Amalgam provider and gets every block. */
  private static double heliaFetch(MemoryBlockStore store, List<Cid> cids) throws Exception {
    try (HeliaPeer helia = new HeliaPeer();
        Host provider = new Host(HostConfig.defaults());
        Bitswap swap = Bitswap.start(provider, store, BitswapConfig.defaults())) {
      provider.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
      return helia.get(
          provider.listenAddresses().get(0).withPeerId(provider.peerId()).toString(), cids);
    }
  }

  /** Helia gets {@code mib} random 1 MiB blocks from another Helia node. */
  private static double heliaFromHelia(int mib) throws Exception {
    try (HeliaPeer provider = new HeliaPeer();
        HeliaPeer fetcher = new HeliaPeer()) {
      return fetcher.get(provider.address, heliaPut(provider, mib));
    }
  }

  /** Amalgam's fetcher gets {@code mib} random 1 MiB blocks from a Helia node. */
  private static double amalgamFromHelia(int mib) throws Exception {
    try (HeliaPeer provider = new HeliaPeer();
        Host client = new Host(HostConfig.defaults());
        Bitswap swap = Bitswap.start(client, new MemoryBlockStore(), BitswapConfig.defaults())) {
      List<Cid> cids = heliaPut(provider, mib);
      Multiaddr addr = Multiaddr.parse(provider.address);
      client.dial(addr);
      FetchReport report =
          new MultiPeerFetcher(swap, FetchConfig.defaults())
              .fetch(cids, List.of(addr.peerId().orElseThrow()), (c, d) -> {}, FetchListener.NONE);
      return report.elapsed().toNanos() / 1e9;
    }
  }

  private static List<Cid> heliaPut(HeliaPeer helia, int mib) throws Exception {
    helia.send("put " + (1 << 20) + " " + mib);
    List<Cid> cids = new ArrayList<>();
    for (int i = 0; i < mib; i++) {
      cids.add(Cid.parse(expect(helia.in, "PUT ").split(" ")[1]));
    }
    return cids;
  }

  private static String expect(BufferedReader in, String prefix) throws Exception {
    String line;
    while ((line = in.readLine()) != null) {
      if (line.startsWith(prefix)) {
        return line;
      }
      if (line.startsWith("ERROR")) {
        throw new IllegalStateException("helia: " + line);
      }
    }
    throw new IllegalStateException("helia exited before printing " + prefix);
  }
}
