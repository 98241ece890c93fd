package dev.amalgam.protocol.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.Multihash;
import dev.amalgam.protocol.bitswap.Bitswap;
import dev.amalgam.protocol.bitswap.BitswapConfig;
import dev.amalgam.protocol.bitswap.DontHaveException;
import dev.amalgam.protocol.bitswap.MemoryBlockStore;
import dev.amalgam.protocol.bitswap.fetch.FetchConfig;
import dev.amalgam.protocol.bitswap.fetch.FetchListener;
import dev.amalgam.protocol.bitswap.fetch.FetchReport;
import dev.amalgam.protocol.bitswap.fetch.MultiPeerFetcher;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Java ↔ Helia (interop/helia-peer.mjs) over bitswap 1.2.0 on loopback, both directions. */
class HeliaBitswapInteropTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static JsProcess helia;
  private static Multiaddr heliaAddr;
  private static PeerId heliaPeer;
  private static Host java;
  private static Bitswap bitswap;
  private static final MemoryBlockStore store = new MemoryBlockStore();

  @BeforeAll
  static void start() throws Exception {
    helia = JsProcess.start("helia-peer.mjs", "helia-peer.log", Map.of(), List.of());
    heliaAddr = Multiaddr.parse(helia.await("LISTENING ", TIMEOUT).substring(10));
    heliaPeer = heliaAddr.peerId().orElseThrow();
    java = new Host(HostConfig.defaults());
    java.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
    bitswap = Bitswap.start(java, store, BitswapConfig.defaults());
    java.dial(heliaAddr);
  }

  @AfterAll
  static void stop() {
    if (bitswap != null) {
      bitswap.close();
    }
    if (java != null) {
      java.close();
    }
    if (helia != null) {
      helia.close();
    }
  }

  private static String sha256Hex(ByteBuffer b) {
    return HexFormat.of().formatHex(Multihash.sha256(toArray(b)).digest());
  }

  private static byte[] toArray(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return a;
  }

  private record Put(Cid cid, int size, String sha) {}

  private static List<Put> heliaPuts(int size, int count) throws Exception {
    helia.send("put " + size + " " + count);
    List<Put> puts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String[] f = helia.await("PUT ", TIMEOUT).split(" ");
      puts.add(new Put(Cid.parse(f[1]), Integer.parseInt(f[2]), f[3]));
    }
    return puts;
  }

  @Test
  void javaFetchesBlocksFromHelia() throws Exception {
    List<Put> puts = heliaPuts(1 << 20, 6);
    Map<Cid, ByteBuffer> got = new ConcurrentHashMap<>();
    FetchReport report =
        new MultiPeerFetcher(bitswap, FetchConfig.defaults())
            .fetch(
                puts.stream().map(Put::cid).toList(),
                List.of(heliaPeer),
                (cid, data) -> got.put(cid, ByteBuffer.wrap(toArray(data))),
                FetchListener.NONE);
    assertThat(report.blocks()).isEqualTo(6);
    for (Put p : puts) {
      assertThat(got.get(p.cid()).remaining()).isEqualTo(p.size());
      assertThat(sha256Hex(got.get(p.cid()))).isEqualTo(p.sha());
    }
  }

  @Test
  void heliaAnswersWantHaveAndDontHave() throws Exception {
    Put p = heliaPuts(5000, 1).getFirst();
    assertThat(bitswap.wantHave(heliaPeer, p.cid()).get(30, TimeUnit.SECONDS)).isTrue();
    Cid missing = Cid.rawSha256(new byte[] {1, 2, 3, 4});
    assertThat(bitswap.wantHave(heliaPeer, missing).get(30, TimeUnit.SECONDS)).isFalse();
    // Helia answers DONT_HAVE once per want-list entry, so ask for the block under another CID
    Cid alsoMissing = Cid.rawSha256(new byte[] {5, 6, 7, 8});
    try {
      bitswap.wantBlock(heliaPeer, alsoMissing, 1).get(30, TimeUnit.SECONDS);
      throw new AssertionError("Helia served a block it does not have");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DontHaveException.class);
    }
  }

  @Test
  void heliaFetchesBlocksFromJava() throws Exception {
    List<Cid> cids = new ArrayList<>();
    Map<Cid, String> sha = new ConcurrentHashMap<>();
    Random r = new Random(11);
    for (int i = 0; i < 4; i++) {
      byte[] b = new byte[i == 0 ? 1 << 20 : 1000 + i];
      r.nextBytes(b);
      Cid cid = store.putRaw(b);
      cids.add(cid);
      sha.put(cid, sha256Hex(ByteBuffer.wrap(b)));
    }
    StringBuilder cmd =
        new StringBuilder("get ").append(java.listenAddresses().get(0).withPeerId(java.peerId()));
    cids.forEach(c -> cmd.append(' ').append(c));
    helia.send(cmd.toString());
    for (int i = 0; i < cids.size(); i++) {
      String[] f = helia.await("GOT ", TIMEOUT).split(" ");
      Cid cid = Cid.parse(f[1]);
      assertThat(cids).contains(cid);
      assertThat(f[3]).isEqualTo(sha.get(cid));
      assertThat(Long.parseLong(f[2])).isEqualTo(store.size(cid));
    }
    assertThat(bitswap.blocksSent()).isGreaterThanOrEqualTo(4);
  }
}
