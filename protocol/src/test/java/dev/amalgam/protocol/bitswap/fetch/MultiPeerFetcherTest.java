package dev.amalgam.protocol.bitswap.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.bitswap.Bitswap;
import dev.amalgam.protocol.bitswap.BitswapConfig;
import dev.amalgam.protocol.bitswap.BlockStore;
import dev.amalgam.protocol.bitswap.CorruptingBlockStore;
import dev.amalgam.protocol.bitswap.MemoryBlockStore;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One fetching host and three providers on loopback. */
class MultiPeerFetcherTest {
  private static final int BLOCKS = 24;
  private static final int SIZE = 256 * 1024;

  private final List<AutoCloseable> open = new ArrayList<>();
  private final MemoryBlockStore source = new MemoryBlockStore();
  private final List<Cid> cids = new ArrayList<>();
  private final Map<Cid, byte[]> expected = new ConcurrentHashMap<>();
  private Host client;
  private Bitswap clientSwap;

  @BeforeEach
  void blocks() throws Exception {
    for (int i = 0; i < BLOCKS; i++) {
      byte[] b = new byte[SIZE - i];
      new Random(i).nextBytes(b);
      Cid cid = source.putRaw(b);
      cids.add(cid);
      expected.put(cid, b);
    }
    client = new Host(HostConfig.defaults());
    open.add(client);
    clientSwap = Bitswap.start(client, new MemoryBlockStore(), BitswapConfig.defaults());
    open.add(clientSwap);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  private Host provider(BlockStore store, BitswapConfig config) throws Exception {
    Host h = new Host(HostConfig.defaults());
    open.add(h);
    h.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
    open.add(Bitswap.start(h, store, config));
    client.peerstore().addAddresses(h.peerId(), h.listenAddresses());
    return h;
  }

  private static final class Collecting implements BlockSink, FetchListener {
    final Map<Cid, byte[]> got = new ConcurrentHashMap<>();
    final Map<PeerId, Boolean> dropped = new ConcurrentHashMap<>();
    final List<FetchProgress> progress = new ArrayList<>();
    volatile Runnable afterBlock = () -> {};

    @Override
    public void accept(Cid cid, ByteBuffer data) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      if (got.put(cid, b) != null) {
        throw new AssertionError("block " + cid + " delivered twice");
      }
      afterBlock.run();
    }

    @Override
    public void progress(FetchProgress p) {
      progress.add(p);
    }

    @Override
    public void peerDropped(PeerId peer, String reason, boolean penalized) {
      dropped.put(peer, penalized);
    }
  }

  private void assertExact(Collecting sink) {
    assertThat(sink.got.keySet()).containsExactlyInAnyOrderElementsOf(cids);
    sink.got.forEach((cid, b) -> assertThat(b).isEqualTo(expected.get(cid)));
  }

  @Test
  void fetchesFromThreeProvidersAtOnceAndDropsTheCorruptOne() throws Exception {
    Host a = provider(source, BitswapConfig.defaults());
    Host b = provider(source, BitswapConfig.defaults());
    Host liar = provider(new CorruptingBlockStore(source), BitswapConfig.defaults());
    Collecting sink = new Collecting();
    FetchReport report =
        new MultiPeerFetcher(clientSwap, FetchConfig.defaults())
            .fetch(cids, List.of(liar.peerId(), a.peerId(), b.peerId()), sink, sink);

    assertExact(sink);
    assertThat(sink.dropped).containsEntry(liar.peerId(), true).hasSize(1);
    assertThat(report.droppedPeers()).containsKey(liar.peerId());
    assertThat(report.bytesByPeer().get(liar.peerId())).isZero();
    assertThat(report.bytesByPeer().get(a.peerId()) + report.bytesByPeer().get(b.peerId()))
        .isEqualTo(report.bytes());
    FetchProgress last = sink.progress.getLast();
    assertThat(last.blocksDone()).isEqualTo(BLOCKS);
    assertThat(last.bytesDone()).isEqualTo(report.bytes());
    assertThat(last.activePeers()).isEqualTo(2);
  }

  @Test
  void completesFromTheOthersWhenAProviderDiesMidFetch() throws Exception {
    BitswapConfig slow = BitswapConfig.defaults().withUploadRate(4L * SIZE);
    Host a = provider(source, slow);
    Host b = provider(source, slow);
    Host dying = provider(source, slow);
    Collecting sink = new Collecting();
    sink.afterBlock =
        () -> {
          if (sink.got.size() == 4) {
            dying.close();
          }
        };
    FetchReport report =
        new MultiPeerFetcher(clientSwap, FetchConfig.defaults())
            .fetch(cids, List.of(dying.peerId(), a.peerId(), b.peerId()), sink, sink);

    assertExact(sink);
    assertThat(sink.dropped).containsEntry(dying.peerId(), false);
    assertThat(report.blocks()).isEqualTo(BLOCKS);
  }

  @Test
  void asksAnotherProviderForBlocksOneDoesNotHave() throws Exception {
    MemoryBlockStore half = new MemoryBlockStore();
    for (int i = 0; i < BLOCKS; i += 2) {
      half.put(cids.get(i), expected.get(cids.get(i)));
    }
    Host partial = provider(half, BitswapConfig.defaults());
    Host full = provider(source, BitswapConfig.defaults());
    Collecting sink = new Collecting();
    new MultiPeerFetcher(clientSwap, FetchConfig.defaults())
        .fetch(cids, List.of(partial.peerId(), full.peerId()), sink, sink);
    assertExact(sink);
    assertThat(sink.dropped).isEmpty();
  }

  @Test
  void failsNamingTheBlockNoProviderHas() throws Exception {
    Host p = provider(source, BitswapConfig.defaults());
    Cid nowhere = Cid.rawSha256(new byte[] {1, 2, 3});
    Collecting sink = new Collecting();
    assertThatThrownBy(
            () ->
                new MultiPeerFetcher(clientSwap, FetchConfig.defaults())
                    .fetch(List.of(cids.get(0), nowhere), List.of(p.peerId()), sink, sink))
        .isInstanceOf(FetchException.class)
        .hasMessageContaining("no provider has block " + nowhere);
  }

  @Test
  void failsWhenEveryProviderIsGone() throws Exception {
    Host liar = provider(new CorruptingBlockStore(source), BitswapConfig.defaults());
    Collecting sink = new Collecting();
    assertThatThrownBy(
            () ->
                new MultiPeerFetcher(
                        clientSwap, FetchConfig.defaults().withBlockTimeout(Duration.ofSeconds(5)))
                    .fetch(cids, List.of(liar.peerId()), sink, sink))
        .isInstanceOf(FetchException.class)
        .hasMessageContaining("no provider left");
    assertThat(sink.dropped).containsEntry(liar.peerId(), true);
  }
}
