package dev.amalgam.protocol.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.protocol.identify.Identify;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A scripted peer talks raw RPCs to one real router. */
class GossipsubBadInputTest {
  private GossipNet net;
  private Gossipsub router;
  private ScriptedPeer peer;
  private final List<Message> got = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    net = new GossipNet();
    router =
        net.add(
            GossipNet.testConfig()
                .withMessageSize(4096)
                .withIWantFollowup(Duration.ofMillis(300))
                .withFloodLimits(2000, 500, 1000));
    router.subscribe("t", got::add);
    peer = new ScriptedPeer();
    peer.connect(net.hosts.get(0));
    peer.send(new Rpc(List.of(new Rpc.SubOpts(true, "t")), List.of(), null));
    GossipNet.await(
        "router sees the scripted peer", () -> router.topicPeers("t").contains(peer.id()));
  }

  @AfterEach
  void stop() {
    peer.close();
    net.close();
  }

  @Test
  void validMessageIsDeliveredAndDuplicateDropped() throws Exception {
    PubsubMessage m = peer.signed("t", "one".getBytes());
    peer.send(Rpc.ofMessages(List.of(m)));
    peer.send(Rpc.ofMessages(List.of(m)));
    peer.send(Rpc.ofMessages(List.of(peer.signed("t", "two".getBytes()))));
    GossipNet.await("two delivered", () -> got.size() == 2);
    GossipNet.await("duplicate counted", () -> router.stats().duplicates.get() == 1);
    assertThat(got).extracting(x -> new String(x.data())).containsExactly("one", "two");
    assertThat(got.get(0).author()).isEqualTo(peer.id());
  }

  @Test
  void badSignatureIsRejectedAndPenalized() throws Exception {
    PubsubMessage m = peer.signed("t", "forged".getBytes());
    byte[] sig = m.signature().clone();
    sig[0] ^= 1;
    peer.send(Rpc.ofMessages(List.of(m.withSignature(sig, m.key()))));
    PubsubMessage tampered = peer.signed("t", "orig".getBytes());
    peer.send(
        Rpc.ofMessages(
            List.of(
                new PubsubMessage(
                    tampered.from(),
                    "changed".getBytes(),
                    tampered.seqno(),
                    "t",
                    tampered.signature(),
                    tampered.key()))));
    GossipNet.await("both rejected", () -> router.stats().invalidSignatures.get() == 2);
    assertThat(got).isEmpty();
    assertThat(router.score(peer.id())).isNegative();
  }

  @Test
  void unsignedMessageIsRejected() throws Exception {
    peer.send(
        Rpc.ofMessages(List.of(new PubsubMessage(null, "x".getBytes(), null, "t", null, null))));
    GossipNet.await("rejected", () -> router.stats().invalidSignatures.get() == 1);
    assertThat(got).isEmpty();
  }

  @Test
  void unknownTopicIsDroppedAndPenalized() throws Exception {
    peer.send(Rpc.ofMessages(List.of(peer.signed("other", "x".getBytes()))));
    GossipNet.await("counted", () -> router.stats().unknownTopic.get() == 1);
    assertThat(got).isEmpty();
    assertThat(router.score(peer.id())).isNegative();
  }

  @Test
  void oversizeMessageIsRejected() throws Exception {
    peer.send(Rpc.ofMessages(List.of(peer.signed("t", new byte[5000]))));
    peer.send(Rpc.ofMessages(List.of(peer.signed("t", "small".getBytes()))));
    GossipNet.await("small delivered", () -> got.size() == 1);
    assertThat(router.stats().oversize.get()).isEqualTo(1);
    assertThat(new String(got.get(0).data())).isEqualTo("small");
  }

  @Test
  void malformedRpcIsCountedAndLaterRpcsStillWork() throws Exception {
    peer.sendRaw(new byte[] {0x12, 0x05, 0x22, 0x01});
    peer.send(Rpc.ofMessages(List.of(peer.signed("t", "after".getBytes()))));
    GossipNet.await("delivered", () -> got.size() == 1);
    assertThat(router.stats().malformedRpcs.get()).isEqualTo(1);
  }

  @Test
  void streamResetByAStillConnectedPeerIsReopenedWithSubscriptionsAndLaterMessagesArrive()
      throws Exception {
    router.publish("t", "before".getBytes());
    peer.await("the first message", r -> !r.publish().isEmpty());
    peer.resetOnNextRpc();
    router.publish("t", "dropped by the reset".getBytes());
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    Rpc after = null;
    for (int i = 0; after == null && System.nanoTime() < deadline; i++) {
      router.publish("t", ("after " + i).getBytes());
      after = peer.received.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    assertThat(after).as("an RPC on a reopened stream").isNotNull();
    assertThat(after.subscriptions()).extracting(Rpc.SubOpts::topic).containsExactly("t");
    peer.await(
        "a message after the reset",
        r -> r.publish().stream().anyMatch(m -> new String(m.data()).startsWith("after ")));
    assertThat(peer.inboundStreams).hasSize(2);
    assertThat(router.topicPeers("t")).contains(peer.id());
  }

  @Test
  void peerThatResetsEveryStreamIsForgottenAfterAFewReopenings() throws Exception {
    peer.resetEveryStream = true;
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (router.topicPeers("t").contains(peer.id()) && System.nanoTime() < deadline) {
      router.publish("t", "x".getBytes());
      Thread.sleep(50);
    }
    assertThat(router.topicPeers("t")).doesNotContain(peer.id());
    assertThat(peer.received).allMatch(r -> r.publish().isEmpty());
  }

  @Test
  void peerWhoseIdentifyFailsStillGetsOurStream() throws Exception {
    try (ScriptedPeer silent = new ScriptedPeer()) {
      silent.host.removeStreamHandler(Identify.PROTOCOL_ID);
      net.hosts.get(0).dial(GossipNet.addr(silent.host));
      Rpc hello = silent.await("the router's subscriptions", r -> !r.subscriptions().isEmpty());
      assertThat(hello.subscriptions()).extracting(Rpc.SubOpts::topic).containsExactly("t");
    }
  }

  @Test
  void iwantIsAnsweredFromTheMessageCache() throws Exception {
    router.publish("t", "cached".getBytes());
    Rpc first = peer.await("the published message", r -> !r.publish().isEmpty());
    byte[] id = MessageIdFunction.JS_STRICT_SIGN.id(first.publish().get(0));
    peer.send(Rpc.ofControl(new Rpc.Control(List.of(), List.of(id), List.of(), List.of())));
    Rpc again = peer.await("the IWANT answer", r -> !r.publish().isEmpty());
    assertThat(again.publish().get(0).data()).isEqualTo("cached".getBytes());
  }

  @Test
  void ihaveOfUnseenIdIsAskedForAndABrokenPromiseIsPenalized() throws Exception {
    byte[] fake = "not-a-real-id-0123456789".getBytes(StandardCharsets.UTF_8);
    peer.send(
        Rpc.ofControl(
            new Rpc.Control(
                List.of(new Rpc.IHave("t", List.of(fake))), List.of(), List.of(), List.of())));
    Rpc iwant =
        peer.await(
            "IWANT for the advertised id",
            r -> r.control().iwant().stream().anyMatch(i -> Arrays.equals(i, fake)));
    assertThat(iwant).isNotNull();
    GossipNet.await("broken promise penalized", () -> router.score(peer.id()) < 0);
  }

  @Test
  void graftDuringBackoffIsPenalizedAndPruned() throws Exception {
    Rpc.Control graft = new Rpc.Control(List.of(), List.of(), List.of("t"), List.of());
    peer.send(Rpc.ofControl(graft));
    GossipNet.await("in mesh", () -> router.meshPeers("t").contains(peer.id()));
    peer.send(
        Rpc.ofControl(
            new Rpc.Control(
                List.of(), List.of(), List.of(), List.of(new Rpc.Prune("t", List.of(), 60L)))));
    GossipNet.await("out of mesh", () -> !router.meshPeers("t").contains(peer.id()));
    peer.received.clear();
    peer.send(Rpc.ofControl(graft));
    peer.send(Rpc.ofControl(graft));
    peer.await("PRUNE answer", r -> !r.control().prune().isEmpty());
    GossipNet.await("penalized", () -> router.score(peer.id()) < 0);
    assertThat(router.meshPeers("t")).doesNotContain(peer.id());
  }

  @Test
  void floodingPeerCannotGrowMemoryOrStarveAnHonestPeer() throws Exception {
    Gossipsub honest = net.add(GossipNet.testConfig());
    honest.subscribe("t", m -> {});
    net.hosts.get(1).dial(GossipNet.addr(net.hosts.get(0)));
    GossipNet.await("honest peer known", () -> router.topicPeers("t").contains(net.id(1)));
    List<byte[]> distinct = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      distinct.add(Rpc.ofMessages(List.of(peer.signed("t", ("spam" + i).getBytes()))).encode());
    }
    List<byte[]> frames = new ArrayList<>();
    for (int round = 0; round < 25; round++) {
      frames.addAll(distinct);
    }
    Thread flooder =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    for (byte[] f : frames) {
                      peer.sendRaw(f);
                    }
                  } catch (Exception e) {
                    // the router may drop the stream; the assertions below still hold
                  }
                });
    for (int i = 0; i < 20; i++) {
      honest.publish("t", ("honest" + i).getBytes());
    }
    GossipNet.await(
        "all honest messages delivered",
        () -> got.stream().filter(m -> new String(m.data()).startsWith("honest")).count() == 20);
    flooder.join(Duration.ofSeconds(60));
    GossipNet.await(
        "router accounted for all 10000 spam frames",
        () ->
            got.stream().filter(m -> new String(m.data()).startsWith("spam")).count()
                    + router.stats().duplicates.get()
                    + router.stats().rateLimited.get()
                == 10_000);
    assertThat(router.seenCacheSize()).isLessThanOrEqualTo(2000);
    assertThat(router.messageCacheSize()).isLessThanOrEqualTo(5 * 500);
    assertThat(router.largestOutboundQueue()).isLessThanOrEqualTo(4096);
    List<String> spam =
        got.stream().map(m -> new String(m.data())).filter(d -> d.startsWith("spam")).toList();
    assertThat(spam).doesNotHaveDuplicates();
    assertThat(spam.size()).isLessThanOrEqualTo(400);
  }
}
