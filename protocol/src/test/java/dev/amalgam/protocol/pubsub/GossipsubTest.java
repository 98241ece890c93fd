package dev.amalgam.protocol.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.protocol.peer.PeerId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class GossipsubTest {
  @Test
  void publishedMessageReachesEverySubscriberOnceWithItsAuthor() throws Exception {
    try (GossipNet net = GossipNet.start(10, 2, GossipNet.testConfig())) {
      Map<Integer, List<Message>> got = new ConcurrentHashMap<>();
      for (int i = 0; i < 10; i++) {
        int me = i;
        got.put(i, new CopyOnWriteArrayList<>());
        net.routers.get(i).subscribe("experts", m -> got.get(me).add(m));
      }
      // Publish only once every node has a mesh: a node that receives a message before its first
      // heartbeat grafted anyone has nobody to forward it to.
      GossipNet.await(
          "every node has subscribed neighbours in its mesh",
          () -> net.routers.stream().allMatch(r -> !r.meshPeers("experts").isEmpty()));
      for (int i = 0; i < 10; i++) {
        net.routers.get(i).publish("experts", ("hello from " + i).getBytes(StandardCharsets.UTF_8));
      }
      GossipNet.await(
          "all 90 deliveries", () -> got.values().stream().mapToInt(List::size).sum() == 90);
      for (int i = 0; i < 10; i++) {
        List<Message> mine = got.get(i);
        assertThat(mine).hasSize(9);
        assertThat(mine).extracting(Message::author).doesNotContain(net.id(i));
        assertThat(mine.stream().map(Message::author).distinct().count()).isEqualTo(9);
        for (Message m : mine) {
          int from = net.hosts.stream().map(h -> h.peerId()).toList().indexOf(m.author());
          assertThat(new String(m.data(), StandardCharsets.UTF_8)).isEqualTo("hello from " + from);
        }
      }
    }
  }

  @Test
  void meshSizesSettleBetweenDloAndDhi() throws Exception {
    GossipsubConfig cfg = GossipNet.testConfig().withMesh(3, 2, 4, 3);
    try (GossipNet net = GossipNet.start(12, 6, cfg)) {
      net.routers.forEach(r -> r.subscribe("t", m -> {}));
      GossipNet.await(
          "every mesh within [D_lo, D_hi]",
          () ->
              net.routers.stream()
                  .allMatch(r -> r.meshPeers("t").size() >= 2 && r.meshPeers("t").size() <= 4));
      for (int i = 0; i < net.routers.size(); i++) {
        for (PeerId p : net.routers.get(i).meshPeers("t")) {
          assertThat(net.routers.get(i).topicPeers("t")).contains(p);
        }
      }
    }
  }

  @Test
  void meshOnlyForwardingStillReachesEveryoneWithoutFloodPublish() throws Exception {
    GossipsubConfig cfg = GossipNet.testConfig().withFloodPublish(false).withMesh(3, 2, 4, 3);
    try (GossipNet net = GossipNet.start(12, 1, cfg)) {
      Set<String> seen = ConcurrentHashMap.newKeySet();
      for (int i = 0; i < 12; i++) {
        int me = i;
        net.routers.get(i).subscribe("t", m -> seen.add(me + ":" + new String(m.data())));
      }
      GossipNet.await(
          "meshes formed", () -> net.routers.stream().allMatch(r -> r.meshPeers("t").size() >= 2));
      net.routers.get(0).publish("t", "m1".getBytes());
      GossipNet.await("11 deliveries", () -> seen.size() == 11);
    }
  }

  @Test
  void fanoutPublishWithoutSubscribing() throws Exception {
    GossipsubConfig cfg = GossipNet.testConfig().withFloodPublish(false);
    try (GossipNet net = GossipNet.start(5, 0, cfg)) {
      for (int i = 2; i < 5; i++) {
        net.hosts.get(0).dial(GossipNet.addr(net.hosts.get(i)));
      }
      List<String> got = new CopyOnWriteArrayList<>();
      for (int i = 1; i < 5; i++) {
        net.routers.get(i).subscribe("news", m -> got.add(new String(m.data())));
      }
      GossipNet.await(
          "publisher sees subscribers", () -> net.routers.get(0).topicPeers("news").size() == 4);
      assertThat(net.routers.get(0).publish("news", "x".getBytes())).isPositive();
      GossipNet.await("4 deliveries", () -> got.size() == 4);
      assertThat(net.routers.get(0).meshPeers("news")).isEmpty();
    }
  }

  @Test
  void unsubscribeLeavesTheMesh() throws Exception {
    try (GossipNet net = GossipNet.start(4, 3, GossipNet.testConfig())) {
      net.routers.forEach(r -> r.subscribe("t", m -> {}));
      GossipNet.await("mesh", () -> net.routers.get(1).meshPeers("t").contains(net.id(0)));
      net.routers.get(0).unsubscribe("t");
      GossipNet.await(
          "others forget node 0",
          () ->
              net.routers.subList(1, 4).stream()
                  .noneMatch(
                      r ->
                          r.meshPeers("t").contains(net.id(0))
                              || r.topicPeers("t").contains(net.id(0))));
    }
  }

  @Test
  void applicationValidatorDecidesDeliveryAndRejectionPenalizes() throws Exception {
    try (GossipNet net = GossipNet.start(2, 0, GossipNet.testConfig())) {
      List<String> got = new ArrayList<>();
      net.routers
          .get(1)
          .addValidator(
              "t",
              m ->
                  switch (new String(m.data())) {
                    case "bad" -> ValidationResult.REJECT;
                    case "meh" -> ValidationResult.IGNORE;
                    default -> ValidationResult.ACCEPT;
                  });
      net.routers.get(1).subscribe("t", m -> got.add(new String(m.data())));
      net.routers.get(0).subscribe("t", m -> {});
      GossipNet.await("subscribed", () -> net.routers.get(0).topicPeers("t").size() == 1);
      net.routers.get(0).publish("t", "meh".getBytes());
      net.routers.get(0).publish("t", "bad".getBytes());
      net.routers.get(0).publish("t", "good".getBytes());
      Gossipsub r1 = net.routers.get(1);
      GossipNet.await("good delivered", () -> got.contains("good"));
      assertThat(got).containsExactly("good");
      assertThat(r1.stats().rejected.get()).isEqualTo(1);
      assertThat(r1.stats().ignored.get()).isEqualTo(1);
      assertThat(r1.score(net.id(0))).isNegative();
    }
  }
}
