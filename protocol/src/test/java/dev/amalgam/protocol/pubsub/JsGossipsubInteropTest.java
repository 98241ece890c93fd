package dev.amalgam.protocol.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.protocol.kad.JsDhtPeer;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Two Java routers connected only through a js-libp2p gossipsub node: messages published on either
 * side reach every subscriber, and each side verified the other's StrictSign signatures.
 */
class JsGossipsubInteropTest {
  static final Duration T = Duration.ofSeconds(30);
  static final String TOPIC = "amalgam-interop";

  @Test
  void gossipFlowsBetweenJavaAndJsInBothDirections() throws Exception {
    GossipsubConfig cfg = GossipsubConfig.defaults();
    try (GossipNet net = new GossipNet();
        JsDhtPeer js = JsDhtPeer.start()) {
      Gossipsub a = net.add(cfg);
      Gossipsub b = net.add(cfg);
      List<Message> gotA = new CopyOnWriteArrayList<>();
      List<Message> gotB = new CopyOnWriteArrayList<>();
      a.subscribe(TOPIC, gotA::add);
      b.subscribe(TOPIC, gotB::add);
      js.call("sub " + TOPIC, "SUBSCRIBED", T);
      PeerId jsId = PeerId.parse(js.peerId());
      net.hosts.get(0).dial(Multiaddr.parse(js.address()));
      net.hosts.get(1).dial(Multiaddr.parse(js.address()));
      GossipNet.await(
          "both Java routers see the js subscriber",
          () -> a.topicPeers(TOPIC).contains(jsId) && b.topicPeers(TOPIC).contains(jsId));
      js.call("waitsub " + TOPIC + " " + net.id(0), "PEERSUB", T);
      js.call("waitsub " + TOPIC + " " + net.id(1), "PEERSUB", T);

      js.call("pub " + TOPIC + " from-js", "PUBLISHED", T);
      GossipNet.await("js message at both Java routers", () -> !gotA.isEmpty() && !gotB.isEmpty());
      assertThat(new String(gotA.get(0).data())).isEqualTo("from-js");
      assertThat(gotA.get(0).author()).isEqualTo(jsId);
      assertThat(gotB.get(0).author()).isEqualTo(jsId);

      GossipNet.await("js grafted node A", () -> a.meshPeers(TOPIC).contains(jsId));
      GossipNet.await("js grafted node B", () -> b.meshPeers(TOPIC).contains(jsId));
      assertThat(a.publish(TOPIC, "from-java-a".getBytes())).isEqualTo(1);
      String line = js.await("MSG " + TOPIC + " " + net.id(0), T);
      assertThat(line).endsWith("from-java-a");
      GossipNet.await("A's message forwarded by js to B", () -> gotB.size() == 2);
      assertThat(new String(gotB.get(1).data())).isEqualTo("from-java-a");
      assertThat(gotB.get(1).author()).isEqualTo(net.id(0));
      assertThat(gotB.get(1).receivedFrom()).isEqualTo(jsId);
      assertThat(a.stats().invalidSignatures.get() + b.stats().invalidSignatures.get()).isZero();
    }
  }
}
