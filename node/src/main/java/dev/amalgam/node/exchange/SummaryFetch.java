package dev.amalgam.node.exchange;

import dev.amalgam.merge.fusion.SummaryAssembler;
import dev.amalgam.merge.fusion.SummaryManifest;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.node.home.NodeStore;
import dev.amalgam.protocol.bitswap.Bitswap;
import dev.amalgam.protocol.bitswap.fetch.FetchConfig;
import dev.amalgam.protocol.bitswap.fetch.FetchException;
import dev.amalgam.protocol.bitswap.fetch.FetchReport;
import dev.amalgam.protocol.bitswap.fetch.MultiPeerFetcher;
import dev.amalgam.protocol.kad.KadDht;
import dev.amalgam.protocol.peer.PeerId;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code amalgam summary fetch}: finds the providers of a summary id in the DHT, gets the root
 * block (summary.json, which must hash to the id), then every vocabulary and sequence block from
 * all providers at once, each verified against its CID; the assembled directory is read back in
 * full before it is renamed into place. Summaries are small, so an interrupted fetch starts over.
 * Providers penalized for serving corrupt blocks are left out as in {@link ExpertFetch}.
 */
public final class SummaryFetch {
  /** How a finished fetch went. {@code skipped}: providers left out because they are penalized. */
  public record Result(
      String id,
      Path directory,
      long blocksFetched,
      long bytesFetched,
      Map<String, Long> bytesByPeer,
      Map<String, String> dropped,
      List<String> skipped) {}

  private final KadDht dht;
  private final Bitswap bitswap;
  private final FetchConfig config;
  private final ProviderPenalties penalties;

  /**
   * @param store where peers that served corrupt blocks are recorded
   * @param penalty how long such a peer is left out of later fetches
   */
  public SummaryFetch(
      KadDht dht, Bitswap bitswap, NodeStore store, FetchConfig config, Duration penalty) {
    this.dht = dht;
    this.bitswap = bitswap;
    this.config = config;
    this.penalties = new ProviderPenalties(store, penalty);
  }

  public Result run(String idText, Path output, ExpertFetch.Listener listener)
      throws IOException, InterruptedException {
    Cid id = parseId(idText);
    Path target = ProviderLookup.checkTarget(output);
    List<String> skipped = new ArrayList<>();
    List<PeerId> providers =
        penalties.withoutPenalized(ProviderLookup.findProviders(dht, id, "summary"), skipped);
    byte[] root =
        ProviderLookup.fetchRoot(
            bitswap,
            id,
            providers,
            "summary",
            b -> SummaryManifest.parse(b, "summary " + id + " root block"),
            penalties);
    try (SummaryAssembler assembler = SummaryAssembler.open(id, root, target)) {
      SummaryManifest m = assembler.manifest();
      List<Cid> blocks = assembler.missing();
      listener.started(providers.size(), blocks.size(), m.blockBytes(), 0, 0);
      FetchReport report;
      try {
        report =
            new MultiPeerFetcher(bitswap, config)
                .fetch(
                    blocks,
                    providers,
                    assembler::write,
                    ExpertFetch.bitswapListener(listener, penalties));
      } catch (FetchException e) {
        throw new FetchException(
            "fetch of summary "
                + id
                + " from "
                + providers.size()
                + " provider(s) failed: "
                + e.getMessage(),
            e);
      }
      Path dir = assembler.commit();
      Map<String, Long> byPeer = new LinkedHashMap<>();
      report.bytesByPeer().forEach((p, b) -> byPeer.put(p.toString(), b));
      Map<String, String> dropped = new LinkedHashMap<>();
      report.droppedPeers().forEach((p, why) -> dropped.put(p.toString(), why));
      return new Result(
          id.toString(),
          dir,
          report.blocks() + 1,
          report.bytes() + root.length,
          byPeer,
          dropped,
          List.copyOf(skipped));
    }
  }

  static Cid parseId(String text) throws IOException {
    try {
      Cid id = Cid.parse(text);
      if (id.codec() != SummaryManifest.JSON_CODEC) {
        throw new IllegalArgumentException(
            "not the CID of a JSON root block (codec 0x" + Long.toHexString(id.codec()) + ")");
      }
      return id;
    } catch (IllegalArgumentException e) {
      throw new IOException("'" + text + "' is not a summary id: " + e.getMessage());
    }
  }
}
