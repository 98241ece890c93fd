package dev.amalgam.protocol.bitswap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.host.Stream;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.proto.LengthPrefixed;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two (or three) Java hosts on loopback exchanging blocks over bitswap. */
class BitswapTest {
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  static byte[] randomBlock(long seed, int size) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private Host host() throws Exception {
    Host h = new Host(HostConfig.defaults());
    open.add(h);
    h.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
    return h;
  }

  private Bitswap bitswap(Host h, BlockStore store, BitswapConfig config) {
    Bitswap b = Bitswap.start(h, store, config);
    open.add(b);
    return b;
  }

  private static void introduce(Host from, Host to) {
    from.peerstore().addAddresses(to.peerId(), to.listenAddresses());
  }

  static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  private static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
    try {
      f.get(20, TimeUnit.SECONDS);
      throw new AssertionError("expected the want to fail");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("want neither completed nor failed", e);
    }
  }

  @Test
  void fetchesVerifiedBlocksAndAnswersWantHave() throws Exception {
    Host server = host();
    Host client = host();
    MemoryBlockStore store = new MemoryBlockStore();
    List<Cid> cids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      cids.add(store.putRaw(randomBlock(i, (1 << 20) - i)));
    }
    bitswap(server, store, BitswapConfig.defaults());
    Bitswap c = bitswap(client, new MemoryBlockStore(), BitswapConfig.defaults());
    introduce(client, server);

    List<CompletableFuture<ByteBuffer>> wants = new ArrayList<>();
    for (Cid cid : cids) {
      wants.add(c.wantBlock(server.peerId(), cid, 1));
    }
    for (int i = 0; i < cids.size(); i++) {
      assertThat(wants.get(i).get(20, TimeUnit.SECONDS))
          .isEqualTo(ByteBuffer.wrap(randomBlock(i, (1 << 20) - i)));
    }
    Cid missing = Cid.rawSha256(new byte[] {9});
    assertThat(c.wantHave(server.peerId(), cids.get(0)).get(20, TimeUnit.SECONDS)).isTrue();
    assertThat(c.wantHave(server.peerId(), missing).get(20, TimeUnit.SECONDS)).isFalse();
    assertThat(failure(c.wantBlock(server.peerId(), missing, 1)))
        .isInstanceOf(DontHaveException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void bothPeersServeEachOtherOverTheirOwnStreams() throws Exception {
    Host a = host();
    Host b = host();
    MemoryBlockStore sa = new MemoryBlockStore();
    MemoryBlockStore sb = new MemoryBlockStore();
    Cid fromA = sa.putRaw(randomBlock(1, 1000));
    Cid fromB = sb.putRaw(randomBlock(2, 2000));
    Bitswap ba = bitswap(a, sa, BitswapConfig.defaults());
    Bitswap bb = bitswap(b, sb, BitswapConfig.defaults());
    introduce(a, b);
    assertThat(ba.wantBlock(b.peerId(), fromB, 1).get(20, TimeUnit.SECONDS).remaining())
        .isEqualTo(2000);
    assertThat(bb.wantBlock(a.peerId(), fromA, 1).get(20, TimeUnit.SECONDS).remaining())
        .isEqualTo(1000);
  }

  @Test
  void serverAnswersDontHaveForBlocksOverItsSizeLimit() throws Exception {
    Host server = host();
    Host client = host();
    MemoryBlockStore store = new MemoryBlockStore();
    Cid big = store.putRaw(randomBlock(3, 70_000));
    bitswap(server, store, BitswapConfig.defaults().withMaxBlockBytes(65_536));
    Bitswap c = bitswap(client, new MemoryBlockStore(), BitswapConfig.defaults());
    introduce(client, server);
    assertThat(failure(c.wantBlock(server.peerId(), big, 1))).isInstanceOf(DontHaveException.class);
  }

  @Test
  void clientDisconnectsPeerThatSendsOversizeBlock() throws Exception {
    Host server = host();
    Host client = host();
    MemoryBlockStore store = new MemoryBlockStore();
    Cid big = store.putRaw(randomBlock(4, 70_000));
    bitswap(server, store, BitswapConfig.defaults());
    Bitswap c =
        bitswap(client, new MemoryBlockStore(), BitswapConfig.defaults().withMaxBlockBytes(65_536));
    introduce(client, server);
    assertThat(failure(c.wantBlock(server.peerId(), big, 1)))
        .isInstanceOf(PeerMisbehavedException.class)
        .hasMessageContaining("70000 bytes, over the limit of 65536");
    waitUntil(() -> client.connections(server.peerId()).isEmpty(), "the connection is closed");
  }

  @Test
  void corruptBlockFailsTheWantAndDropsTheConnection() throws Exception {
    Host server = host();
    Host client = host();
    MemoryBlockStore store = new MemoryBlockStore();
    Cid cid = store.putRaw(randomBlock(5, 4096));
    bitswap(server, new CorruptingBlockStore(store), BitswapConfig.defaults());
    Bitswap c = bitswap(client, new MemoryBlockStore(), BitswapConfig.defaults());
    introduce(client, server);
    assertThat(failure(c.wantBlock(server.peerId(), cid, 1)))
        .isInstanceOf(PeerMisbehavedException.class)
        .hasMessageContaining("matches none of our wants");
    waitUntil(() -> client.connections(server.peerId()).isEmpty(), "the connection is closed");
  }

  @Test
  void malformedMessageClosesOnlyThatPeersConnection() throws Exception {
    Host server = host();
    Host rogue = host();
    Host honest = host();
    MemoryBlockStore store = new MemoryBlockStore();
    Cid cid = store.putRaw(randomBlock(6, 5000));
    bitswap(server, store, BitswapConfig.defaults());
    Bitswap h = bitswap(honest, new MemoryBlockStore(), BitswapConfig.defaults());
    introduce(honest, server);
    assertThat(h.wantHave(server.peerId(), cid).get(20, TimeUnit.SECONDS)).isTrue();

    Stream s =
        rogue
            .dial(server.listenAddresses().get(0).withPeerId(server.peerId()))
            .newStream(Bitswap.PROTOCOL_1_2_0);
    LengthPrefixed.write(s.out(), new byte[] {0x0a, 0x7f, 0x01});
    waitUntil(() -> rogue.connections(server.peerId()).isEmpty(), "the rogue is disconnected");

    assertThat(h.wantBlock(server.peerId(), cid, 1).get(20, TimeUnit.SECONDS).remaining())
        .isEqualTo(5000);
    assertThat(honest.connections(server.peerId())).isNotEmpty();
  }

  @Test
  void wantListFloodDisconnectsTheFlooderAndOthersAreStillServed() throws Exception {
    Host server = host();
    Host flooder = host();
    Host honest = host();
    MemoryBlockStore store = new MemoryBlockStore();
    Cid cid = store.putRaw(randomBlock(7, 3000));
    Bitswap srv = bitswap(server, store, BitswapConfig.defaults().withMaxWantsPerPeer(100));
    Bitswap h = bitswap(honest, new MemoryBlockStore(), BitswapConfig.defaults());
    introduce(honest, server);

    List<WantEntry> flood = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      flood.add(WantEntry.block(Cid.rawSha256(randomBlock(100 + i, 8)), 1));
    }
    Stream s =
        flooder
            .dial(server.listenAddresses().get(0).withPeerId(server.peerId()))
            .newStream(Bitswap.PROTOCOL_1_2_0);
    s.out().write(BitswapMessage.ofWants(flood).encodeFrame(false));
    s.out().flush();
    waitUntil(() -> flooder.connections(server.peerId()).isEmpty(), "the flooder is dropped");
    assertThat(srv.ledgerSize(flooder.peerId())).isZero();

    assertThat(h.wantBlock(server.peerId(), cid, 1).get(20, TimeUnit.SECONDS).remaining())
        .isEqualTo(3000);
  }

  @Test
  void repeatedCopyOfAnAskedBlockIsIgnoredAndThePeerKept() throws Exception {
    Host client = host();
    Host echoTwice = host();
    Bitswap c = bitswap(client, new MemoryBlockStore(), BitswapConfig.defaults());
    byte[] data = randomBlock(9, 2000);
    Cid cid = Cid.rawSha256(data);
    // a hand-written server that answers every want-block with two copies of the block
    echoTwice.setStreamHandler(
        Bitswap.PROTOCOL_1_2_0,
        s -> {
          Stream back = echoTwice.newStream(client.peerId(), Bitswap.PROTOCOL_1_2_0);
          byte[] frame;
          while ((frame = LengthPrefixed.read(s.in(), 1 << 20, "wants")) != null) {
            for (WantEntry e : BitswapMessage.decode(frame).wants()) {
              if (!e.cancel() && e.cid().equals(cid)) {
                Block b = Block.of(cid, ByteBuffer.wrap(data));
                back.out()
                    .write(
                        new BitswapMessage(List.of(), false, List.of(b, b), List.of(), 0)
                            .encodeFrame(false));
                back.out().flush();
              }
            }
          }
        });
    introduce(client, echoTwice);
    assertThat(c.wantBlock(echoTwice.peerId(), cid, 1).get(20, TimeUnit.SECONDS))
        .isEqualTo(ByteBuffer.wrap(data));
    // the extra copy was read before this answer: had it been flagged, this want would fail
    assertThat(c.wantBlock(echoTwice.peerId(), cid, 1).get(20, TimeUnit.SECONDS))
        .isEqualTo(ByteBuffer.wrap(data));
    assertThat(client.connections(echoTwice.peerId())).isNotEmpty();
  }

  @Test
  void cancelledWantIsWithdrawnAndItsFutureCancelled() throws Exception {
    Host server = host();
    Host client = host();
    bitswap(server, new MemoryBlockStore(), BitswapConfig.defaults());
    Bitswap c = bitswap(client, new MemoryBlockStore(), BitswapConfig.defaults());
    introduce(client, server);
    Cid cid = Cid.rawSha256(new byte[] {42});
    CompletableFuture<ByteBuffer> f =
        c.wantBlock(server.peerId(), cid, 1); // no sendDontHave reply would come without the block
    c.cancel(server.peerId(), cid);
    assertThat(f).isCancelled();
  }

  @Test
  void wantToAnUnreachablePeerFails() throws Exception {
    Host client = host();
    Host gone = host();
    Bitswap c = bitswap(client, new MemoryBlockStore(), BitswapConfig.defaults());
    introduce(client, gone);
    gone.close();
    assertThatThrownBy(
            () ->
                c.wantBlock(gone.peerId(), Cid.rawSha256(new byte[] {1}), 1)
                    .get(20, TimeUnit.SECONDS))
        .hasCauseInstanceOf(java.io.IOException.class);
  }
}
