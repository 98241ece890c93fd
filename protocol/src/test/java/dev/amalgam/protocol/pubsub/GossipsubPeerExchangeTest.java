package dev.amalgam.protocol.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.record.PeerRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Peer exchange on PRUNE with signed peer records (gossipsub v1.1). Heartbeat 1 s: see below. */
class GossipsubPeerExchangeTest {
  private static final String TOPIC = "t";

  private static void joinMesh(ScriptedPeer peer, Gossipsub router) throws Exception {
    peer.await("hello", x -> !x.subscriptions().isEmpty());
    peer.send(
        new Rpc(
            List.of(new Rpc.SubOpts(true, TOPIC)),
            List.of(),
            new Rpc.Control(List.of(), List.of(), List.of(TOPIC), List.of())));
    GossipNet.await("grafted", () -> router.meshPeers(TOPIC).contains(peer.id()));
  }

  /**
   * Sends {@code control} behind 20 first deliveries, which lift the sender's score (P2, halved at
   * every heartbeat) above the PX acceptance threshold of 10 when the control part is handled.
   */
  private static void sendWithGoodScore(ScriptedPeer peer, Rpc.Control control) throws Exception {
    List<PubsubMessage> messages = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      messages.add(peer.signed(TOPIC, new byte[] {(byte) i}));
    }
    peer.send(new Rpc(List.of(), messages, control));
  }

  private static byte[] signedRecord(Host h) {
    return new PeerRecord(h.peerId(), 1, h.listenAddresses()).seal(h.config().identity()).encode();
  }

  private static Rpc.Control prune(Rpc.PxPeer... px) {
    return new Rpc.Control(
        List.of(), List.of(), List.of(), List.of(new Rpc.Prune(TOPIC, List.of(px), 60L)));
  }

  @Test
  void dialsAPeerKnownOnlyFromASignedRecordInPrune() throws Exception {
    try (GossipNet net = new GossipNet();
        ScriptedPeer peer = new ScriptedPeer();
        Host stranger = GossipNet.newHost()) {
      Gossipsub router = net.add(GossipsubConfig.defaults());
      router.subscribe(TOPIC, m -> {});
      peer.connect(net.hosts.get(0));
      joinMesh(peer, router);

      sendWithGoodScore(
          peer, prune(new Rpc.PxPeer(stranger.peerId().bytes(), signedRecord(stranger))));

      GossipNet.await(
          "router dials the exchanged peer", () -> !stranger.connections(net.id(0)).isEmpty());
    }
  }

  @Test
  void ignoresARecordSignedForAnotherPeer() throws Exception {
    try (GossipNet net = new GossipNet();
        ScriptedPeer peer = new ScriptedPeer();
        Host victim = GossipNet.newHost();
        Host forger = GossipNet.newHost();
        Host honest = GossipNet.newHost()) {
      Gossipsub router = net.add(GossipsubConfig.defaults());
      router.subscribe(TOPIC, m -> {});
      peer.connect(net.hosts.get(0));
      joinMesh(peer, router);

      sendWithGoodScore(
          peer,
          prune(
              new Rpc.PxPeer(victim.peerId().bytes(), signedRecord(forger)),
              new Rpc.PxPeer(honest.peerId().bytes(), signedRecord(honest))));

      GossipNet.await("honest entry is used", () -> !honest.connections(net.id(0)).isEmpty());
      Host router0 = net.hosts.get(0);
      assertThat(router0.peerstore().addresses(victim.peerId())).isEmpty();
      assertThat(router0.peerstore().certifiedRecord(victim.peerId())).isEmpty();
      assertThat(victim.connections(net.id(0))).isEmpty();
    }
  }

  @Test
  void pruneOffersOtherTopicPeersWithTheirSignedRecords() throws Exception {
    try (GossipNet net = new GossipNet();
        ScriptedPeer peer = new ScriptedPeer()) {
      Gossipsub router = net.add(GossipsubConfig.defaults());
      Gossipsub other = net.add(GossipsubConfig.defaults());
      router.subscribe(TOPIC, m -> {});
      other.subscribe(TOPIC, m -> {});
      net.hosts.get(1).dial(GossipNet.addr(net.hosts.get(0)));
      GossipNet.await("other in mesh", () -> router.meshPeers(TOPIC).contains(net.id(1)));
      GossipNet.await(
          "other's record known",
          () -> net.hosts.get(0).peerstore().certifiedRecord(net.id(1)).isPresent());
      peer.connect(net.hosts.get(0));
      joinMesh(peer, router);

      // leave, then graft again inside the backoff: the router answers with PRUNE and PX
      sendWithGoodScore(peer, prune());
      peer.send(Rpc.ofControl(new Rpc.Control(List.of(), List.of(), List.of(TOPIC), List.of())));
      Rpc r = peer.await("PRUNE with PX", x -> !x.control().prune().isEmpty());

      List<Rpc.PxPeer> px = r.control().prune().get(0).peers();
      assertThat(px).hasSize(1);
      assertThat(px.get(0).peerId()).isEqualTo(net.id(1).bytes());
      PeerRecord rec = PeerRecord.open(px.get(0).signedPeerRecord());
      assertThat(rec.peerId()).isEqualTo(net.id(1));
      assertThat(rec.addresses()).isEqualTo(net.hosts.get(1).listenAddresses());
    }
  }
}
