package dev.amalgam.protocol.kad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.multiformats.Multihash;
import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.Stream;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.proto.LengthPrefixed;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KadDhtTest {
  static final KadConfig CONFIG =
      KadConfig.defaults()
          .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(15))
          .withValidators(Validators.defaults().with("amalgam", new OpaqueValidator(1024)));
  static final int NODES = 12;

  private KadNetwork net;

  @BeforeAll
  void startNetwork() throws Exception {
    net = KadNetwork.start(NODES, CONFIG);
  }

  @AfterAll
  void stopNetwork() {
    net.close();
  }

  static byte[] key(String name) {
    return Multihash.sha256(name.getBytes(StandardCharsets.UTF_8)).bytes();
  }

  @Test
  void everyServerEntersOtherRoutingTables() {
    for (KadDht d : net.dhts) {
      assertThat(d.routingTable().size()).isGreaterThanOrEqualTo(NODES / 2);
    }
  }

  @Test
  void findsProviderAnnouncedByAnotherNode() throws Exception {
    byte[] k = key("expert-a");
    assertThat(net.dhts.get(3).provide(k)).isPositive();
    List<KadPeer> found = net.dhts.get(11).findProviders(k, 1);
    assertThat(found).extracting(KadPeer::id).containsExactly(net.hosts.get(3).peerId());
    assertThat(found.get(0).addrs()).isNotEmpty();
  }

  @Test
  void findsSeveralProvidersOfOneKey() throws Exception {
    byte[] k = key("family-b");
    net.dhts.get(1).provide(k);
    net.dhts.get(5).provide(k);
    net.dhts.get(8).provide(k);
    List<KadPeer> found = net.dhts.get(10).findProviders(k, 3);
    assertThat(found)
        .extracting(KadPeer::id)
        .containsExactlyInAnyOrder(
            net.hosts.get(1).peerId(), net.hosts.get(5).peerId(), net.hosts.get(8).peerId());
  }

  @Test
  void getsPublicKeyRecordPutByAnotherNode() throws Exception {
    Host owner = net.hosts.get(2);
    byte[] k = PublicKeyValidator.keyFor(owner.peerId());
    byte[] v = owner.config().identity().publicKey().marshal();
    assertThat(net.dhts.get(2).putValue(k, v)).isPositive();
    Optional<byte[]> got = net.dhts.get(9).getValue(k, 3);
    assertThat(got).hasValueSatisfying(b -> assertThat(b).isEqualTo(v));
  }

  @Test
  void getValueSelectsTheBestValueAndRepairsStaleCopies() throws Exception {
    byte[] k = "/amalgam/merge-head".getBytes(StandardCharsets.UTF_8);
    net.dhts.get(4).putValue(k, "a-old".getBytes(StandardCharsets.UTF_8));
    net.dhts.get(6).putValue(k, "b-new".getBytes(StandardCharsets.UTF_8));
    Optional<byte[]> got = net.dhts.get(7).getValue(k, 20);
    assertThat(got).hasValueSatisfying(b -> assertThat(new String(b)).isEqualTo("b-new"));
  }

  @Test
  void putValueRefusesRecordsWithoutValidator() {
    assertThatThrownBy(() -> net.dhts.get(1).putValue("/nope/x".getBytes(), "v".getBytes()))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("no validator for record namespace 'nope'");
  }

  @Test
  void findPeerReturnsAddresses() throws Exception {
    Optional<KadPeer> p = net.dhts.get(5).findPeer(net.hosts.get(10).peerId());
    assertThat(p).isPresent();
    assertThat(p.get().addrs()).contains(net.hosts.get(10).listenAddresses().get(0));
  }

  @Test
  void lookupSurvivesUnresponsiveAndDeadPeers() throws Exception {
    KadDht asker = net.dhts.get(9);
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Multiaddr silentAddr = Multiaddr.parse("/ip4/127.0.0.1/tcp/" + silent.getLocalPort());
      Multiaddr deadAddr = Multiaddr.parse("/ip4/127.0.0.1/tcp/1");
      for (int i = 0; i < 6; i++) {
        PeerId ghost = PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey());
        asker.host().peerstore().addAddresses(ghost, List.of(i % 2 == 0 ? silentAddr : deadAddr));
        asker.routingTable().add(ghost);
      }
      List<PeerId> real = net.hosts.stream().map(Host::peerId).toList();
      List<PeerId> closest = asker.closestPeers(key("survives-ghosts"));
      assertThat(closest).isNotEmpty().allSatisfy(p -> assertThat(real).contains(p));
      assertThat(asker.routingTable().peers()).allSatisfy(p -> assertThat(real).contains(p));
      byte[] k = key("survives-ghosts");
      net.dhts.get(0).provide(k);
      List<KadPeer> found = asker.findProviders(k, 1);
      assertThat(found).extracting(KadPeer::id).containsExactly(net.hosts.get(0).peerId());
    }
  }

  @Test
  void clientModeNodeQueriesButIsNeverRouted() throws Exception {
    try (KadNetwork extra = new KadNetwork()) {
      KadDht client = extra.add(CONFIG.withClientMode(true));
      assertThat(client.bootstrap(List.of(net.addressOf(0)))).isEqualTo(1);
      byte[] k = key("client-sees");
      net.dhts.get(8).provide(k);
      assertThat(client.findProviders(k, 1))
          .extracting(KadPeer::id)
          .containsExactly(net.hosts.get(8).peerId());
      PeerId clientId = client.host().peerId();
      for (KadDht d : net.dhts) {
        assertThat(d.routingTable().contains(clientId)).isFalse();
      }
      assertThat(client.host().protocols()).doesNotContain(CONFIG.protocolId());
    }
  }

  // ---- bad input ----

  private Stream rawStream(Host from, int target) throws IOException {
    from.dial(net.addressOf(target));
    return from.newStream(net.hosts.get(target).peerId(), CONFIG.protocolId());
  }

  @Test
  void malformedMessageResetsStreamAndPenalizesSender() throws Exception {
    try (Host rogue = KadNetwork.newHost()) {
      try (Stream s = rawStream(rogue, 1)) {
        LengthPrefixed.write(s.out(), new byte[] {0x0a, 0x7f, 0x01});
        assertThatThrownBy(() -> LengthPrefixed.read(s.in(), 1 << 20, "reply"))
            .isInstanceOf(IOException.class);
      }
      assertThat(net.dhts.get(1).penalties().count(rogue.peerId())).isEqualTo(1);
      // the node still serves others
      assertThat(net.dhts.get(2).findPeer(net.hosts.get(1).peerId())).isPresent();
    }
  }

  @Test
  void invalidRecordIsRefusedAndNotStored() throws Exception {
    try (Host rogue = KadNetwork.newHost()) {
      PeerId victim = net.hosts.get(3).peerId();
      byte[] k = PublicKeyValidator.keyFor(victim);
      byte[] wrongKey = rogue.config().identity().publicKey().marshal();
      KadMessage put =
          new KadMessage(
              KadMessage.Type.PUT_VALUE, k, new KadRecord(k, wrongKey, null), List.of(), List.of());
      try (Stream s = rawStream(rogue, 4)) {
        LengthPrefixed.write(s.out(), put.encode());
        assertThatThrownBy(() -> LengthPrefixed.read(s.in(), 1 << 20, "reply"))
            .isInstanceOf(IOException.class);
      }
      assertThat(net.dhts.get(4).recordStore().get(k)).isNull();
      assertThat(net.dhts.get(4).penalties().count(rogue.peerId())).isEqualTo(1);
    }
  }

  @Test
  void providerClaimedForAnotherPeerIsRefused() throws Exception {
    try (Host rogue = KadNetwork.newHost()) {
      byte[] k = key("claimed-by-someone-else");
      PeerId innocent = net.hosts.get(6).peerId();
      KadMessage add =
          new KadMessage(
              KadMessage.Type.ADD_PROVIDER,
              k,
              null,
              List.of(),
              List.of(new KadPeer(innocent, net.hosts.get(6).listenAddresses())));
      try (Stream s = rawStream(rogue, 5)) {
        LengthPrefixed.write(s.out(), add.encode());
        s.closeWrite();
        assertThatThrownBy(() -> s.in().readAllBytes()).isInstanceOf(IOException.class);
      }
      assertThat(net.dhts.get(5).providerStore().get(k)).isEmpty();
      assertThat(net.dhts.get(5).penalties().count(rogue.peerId())).isEqualTo(1);
    }
  }

  @Test
  void repeatedlyMisbehavingPeerIsBanned() throws Exception {
    try (Host rogue = KadNetwork.newHost()) {
      for (int i = 0; i < 3; i++) {
        try (Stream s = rawStream(rogue, 7)) {
          LengthPrefixed.write(s.out(), new byte[] {(byte) 0xff});
          assertThatThrownBy(() -> LengthPrefixed.read(s.in(), 1 << 20, "reply"))
              .isInstanceOf(IOException.class);
        }
      }
      assertThat(net.dhts.get(7).penalties().isBanned(rogue.peerId())).isTrue();
      assertThatThrownBy(
              () -> {
                try (Stream s = rawStream(rogue, 7)) {
                  LengthPrefixed.write(
                      s.out(), KadMessage.request(KadMessage.Type.FIND_NODE, key("x")).encode());
                  LengthPrefixed.read(s.in(), 1 << 20, "reply");
                }
              })
          .isInstanceOf(IOException.class);
    }
  }
}
