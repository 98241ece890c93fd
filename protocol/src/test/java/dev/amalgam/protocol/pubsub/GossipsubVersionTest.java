package dev.amalgam.protocol.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GossipsubVersionTest {
  private static Rpc.Prune pruneAfterUnsubscribe(String protocol) throws Exception {
    try (GossipNet net = new GossipNet();
        ScriptedPeer peer = new ScriptedPeer(protocol)) {
      Gossipsub router = net.add(GossipNet.testConfig());
      router.subscribe("t", m -> {});
      peer.connect(net.hosts.get(0));
      // the router's own stream is negotiated (and its version known) once its hello arrives
      peer.await("hello", x -> !x.subscriptions().isEmpty());
      peer.send(
          new Rpc(
              List.of(new Rpc.SubOpts(true, "t")),
              List.of(),
              new Rpc.Control(List.of(), List.of(), List.of("t"), List.of())));
      GossipNet.await("grafted", () -> router.meshPeers("t").contains(peer.id()));
      router.unsubscribe("t");
      Rpc r = peer.await("PRUNE", x -> !x.control().prune().isEmpty());
      return r.control().prune().get(0);
    }
  }

  @Test
  void v11PeerGetsPruneWithUnsubscribeBackoff() throws Exception {
    Rpc.Prune p = pruneAfterUnsubscribe(Gossipsub.V11);
    assertThat(p.topic()).isEqualTo("t");
    assertThat(p.backoffSeconds()).isEqualTo(10L);
  }

  @Test
  void v10PeerIsServedOverMeshsub10AndGetsPlainPrune() throws Exception {
    Rpc.Prune p = pruneAfterUnsubscribe(Gossipsub.V10);
    assertThat(p.topic()).isEqualTo("t");
    assertThat(p.backoffSeconds()).isNull();
    assertThat(p.peers()).isEmpty();
  }
}
