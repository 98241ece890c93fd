package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.amalgam.bootstrap.card.ExpertCard;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.pubsub.Gossipsub;
import dev.amalgam.protocol.pubsub.GossipsubConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A federation of separate JVMs on loopback, driven through the CLI: one bootstrap peer and four
 * nodes, each hosting its own checkpoint; later a fifth node, a restart and a forger. The tests run
 * in order on the same federation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class FederationProcessesTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final String FEDERATION = "itest";
  private static final JsonMapper JSON = new JsonMapper();

  private Path dir;
  private final List<AmalgamProcess> processes = new ArrayList<>();
  private AmalgamProcess bootstrap;
  private final List<AmalgamProcess> nodes = new ArrayList<>();
  private final List<Path> homes = new ArrayList<>();
  private final List<String> expertIds = new ArrayList<>();
  private final List<String> nodeAddrs = new ArrayList<>();
  private String bootstrapAddr;

  @BeforeAll
  void startFederation(@TempDir Path tmp) throws Exception {
    dir = tmp;
    bootstrap = track(AmalgamProcess.startBootstrap(FEDERATION));
    bootstrapAddr = bootstrap.awaitValue("listening on ", START);
    for (int i = 0; i < 4; i++) {
      homes.add(initHomeWithExpert(i, bootstrapAddr));
    }
    for (int i = 0; i < 4; i++) {
      nodes.add(startNode(i));
    }
    for (AmalgamProcess n : nodes) {
      nodeAddrs.add(n.awaitValue("listening on ", START));
    }
  }

  @AfterAll
  void stopEverything() {
    processes.forEach(AmalgamProcess::close);
  }

  private AmalgamProcess track(AmalgamProcess p) {
    processes.add(p);
    return p;
  }

  private Path initHomeWithExpert(int i, String boot) throws Exception {
    Path home = dir.resolve("node" + i);
    CliRun.initLoopbackHome(home, boot, FEDERATION);
    Path ckpt = TinyModels.variant(dir.resolve("expert" + i), 100 + i);
    CliRun add =
        CliRun.of(
            "expert",
            "add",
            ckpt.toString(),
            "--home",
            home.toString(),
            "--name",
            "expert" + i,
            "--tag",
            "t" + i);
    assertThat(add.exitCode()).as(add.err()).isZero();
    expertIds.add(add.out().strip());
    return home;
  }

  private AmalgamProcess startNode(int i) throws Exception {
    return track(
        AmalgamProcess.start("node" + i, "node", "start", "--home", homes.get(i).toString()));
  }

  private void awaitExperts(Path home, List<String> expected, Duration timeout) throws Exception {
    ExpertListing.await(home, expected, timeout, processes);
  }

  @Test
  @Order(1)
  void everyNodeListsAllFourExpertsWithin30Seconds() throws Exception {
    assertThat(new HashSet<>(expertIds)).hasSize(4);
    for (Path home : homes) {
      awaitExperts(home, expertIds, CONVERGE);
    }
    CliRun peers = CliRun.of("peers", "--home", homes.get(0).toString());
    assertThat(peers.out()).contains("connected").contains(bootstrapAddr.split("/p2p/")[1]);
  }

  @Test
  @Order(2)
  void cardsAreAlsoProviderRecordsForTheExpertAndTheFamily() throws Exception {
    String host2 = nodeAddrs.get(2).split("/p2p/")[1];
    JsonNode mine =
        JSON.readTree(
            CliRun.of("expert", "list", "--home", homes.get(2).toString(), "--json").out());
    String family = mine.get(0).get("family").asText();
    for (String key : List.of(expertIds.get(2), family)) {
      CliRun providers =
          CliRun.of("dht", "providers", key, "--bootstrap", nodeAddrs.get(0), "--timeout", "20");
      assertThat(providers.exitCode()).as(providers.err()).isZero();
      assertThat(providers.out()).as("providers of " + key).contains(host2);
    }
  }

  @Test
  @Order(3)
  void expertAddedToARunningNodeIsAnnouncedAtOnceAndRemovable() throws Exception {
    Path ckpt = TinyModels.variant(dir.resolve("late"), 900);
    Path home3 = homes.get(3);
    CliRun add =
        CliRun.of("expert", "add", ckpt.toString(), "--home", home3.toString(), "--name", "late");
    assertThat(add.exitCode()).as(add.err()).isZero();
    String late = add.out().strip();
    nodes.get(3).awaitLine(l -> l.contains(" expert added " + late), CONVERGE, "'expert added'");
    for (Path home : homes) {
      awaitExperts(home, List.of(late), CONVERGE);
    }
    CliRun remove = CliRun.of("expert", "remove", late, "--home", home3.toString());
    assertThat(remove.exitCode()).as(remove.err()).isZero();
    nodes
        .get(3)
        .awaitLine(l -> l.contains(" expert removed " + late), CONVERGE, "'expert removed'");
    assertThat(CliRun.of("expert", "list", "--home", home3.toString()).out()).doesNotContain(late);
  }

  @Test
  @Order(4)
  void controlApiRefusesRequestsWithoutTheToken() throws Exception {
    Path home = homes.get(0);
    String api = Files.readString(home.resolve("api")).strip();
    String token = Files.readString(home.resolve("api.token")).strip();
    HttpClient http = HttpClient.newHttpClient();
    for (String path : List.of("/v1/status", "/metrics", "/v1/experts")) {
      HttpResponse<String> none =
          http.send(
              HttpRequest.newBuilder(URI.create("http://" + api + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(none.statusCode()).as(path).isEqualTo(401);
      HttpResponse<String> wrong =
          http.send(
              HttpRequest.newBuilder(URI.create("http://" + api + path))
                  .header("Authorization", "Bearer " + "0".repeat(token.length()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(wrong.statusCode()).as(path).isEqualTo(401);
    }
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(URI.create("http://" + api + "/metrics"))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("# TYPE amalgam_peers gauge")
        .containsPattern("amalgam_bytes_in_total [1-9]")
        .containsPattern("amalgam_announcements_total [1-9]")
        .contains("amalgam_dht_lookups_total");
    CliRun status = CliRun.of("node", "status", "--home", home.toString());
    assertThat(status.out())
        .contains("(running)")
        .contains("federation  " + FEDERATION)
        .contains("expert0");
  }

  @Test
  @Order(5)
  void forgedCardsAreRejected() throws Exception {
    AmalgamProcess victim = nodes.get(0);
    Ed25519PrivateKey forgerKey = Ed25519PrivateKey.generate();
    Ed25519PrivateKey otherKey = Ed25519PrivateKey.generate();
    String topic = "amalgam/" + FEDERATION + "/experts";
    Host host = new Host(HostConfig.defaults().withIdentity(forgerKey).withTransport(1, true));
    Gossipsub gossip = new Gossipsub(host, GossipsubConfig.defaults()).start();
    try {
      host.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
      gossip.subscribe(topic, m -> {});
      host.dial(Multiaddr.parse(nodeAddrs.get(0)));
      PeerId victimId = Multiaddr.parse(nodeAddrs.get(0)).peerId().orElseThrow();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!gossip.topicPeers(topic).contains(victimId) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(gossip.topicPeers(topic)).contains(victimId);
      long before = victim.count(l -> l.contains(" card rejected "));

      Cid notHosted = Cid.rawSha256("not hosted".getBytes(StandardCharsets.UTF_8));
      gossip.publish(topic, card(forgerKey, notHosted).envelope());
      victim.awaitLine(
          l -> l.contains(" card rejected ") && l.contains("does not provide expert " + notHosted),
          CONVERGE,
          "rejecting a card for an expert its signer does not provide");

      Cid someoneElses = Cid.rawSha256("someone else".getBytes(StandardCharsets.UTF_8));
      gossip.publish(topic, card(otherKey, someoneElses).envelope());
      PeerId other = PeerId.fromPublicKey(otherKey.publicKey());
      victim.awaitLine(
          l -> l.contains(" card rejected ") && l.contains("card signed by " + other),
          CONVERGE,
          "rejecting a card published by a peer that did not sign it");

      Cid tampered = Cid.rawSha256("tampered".getBytes(StandardCharsets.UTF_8));
      byte[] env = card(forgerKey, tampered).envelope();
      env[env.length - 1] ^= 1;
      gossip.publish(topic, env);
      victim.awaitLine(
          l -> l.contains(" card rejected ") && l.contains("signature does not verify"),
          CONVERGE,
          "rejecting a card whose signature does not verify");

      assertThat(victim.count(l -> l.contains(" card rejected "))).isEqualTo(before + 3);
      assertThat(ExpertListing.ids(homes.get(0)))
          .doesNotContain(notHosted.toString(), someoneElses.toString(), tampered.toString());
    } finally {
      gossip.close();
      host.close();
    }
  }

  private static ExpertCard.Signed card(Ed25519PrivateKey key, Cid expert) {
    long now = System.currentTimeMillis();
    return new ExpertCard(
            PeerId.fromPublicKey(key.publicKey()),
            "forged",
            expert,
            Cid.rawSha256("family".getBytes(StandardCharsets.UTF_8)),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            Map.of(),
            1,
            List.of(),
            now,
            now + 600_000)
        .seal(key);
  }

  @Test
  @Order(6)
  void withBootstrapStoppedNodesKeepTheirViewAndSeeAFifthNodeJoiningThroughAKnownPeer()
      throws Exception {
    assertThat(bootstrap.stop()).as(bootstrap.output()).isZero();
    assertThat(bootstrap.output()).contains("stopped");
    Path home5 = initHomeWithExpert(4, nodeAddrs.get(0));
    homes.add(home5);
    nodes.add(startNode(4));
    nodeAddrs.add(nodes.get(4).awaitValue("listening on ", START));
    for (Path home : homes.subList(0, 4)) {
      awaitExperts(home, expertIds, CONVERGE);
    }
    awaitExperts(home5, expertIds, CONVERGE);
  }

  @Test
  @Order(7)
  void restartedNodeComesBackWithItsIdentityExpertsAndPeers() throws Exception {
    Path home = homes.get(1);
    String id = nodeAddrs.get(1).split("/p2p/")[1];
    assertThat(nodes.get(1).stop()).as(nodes.get(1).output()).isZero();
    assertThat(home.resolve("api")).doesNotExist();

    CliRun remembered = CliRun.of("peers", "--home", home.toString(), "--json");
    assertThat(remembered.exitCode()).as(remembered.err()).isZero();
    JsonNode peers = JSON.readTree(remembered.out());
    assertThat(peers.size()).isGreaterThanOrEqualTo(3);
    CliRun offline = CliRun.of("expert", "list", "--home", home.toString());
    assertThat(offline.out()).contains(expertIds.get(1));

    AmalgamProcess again =
        track(AmalgamProcess.start("node1-again", "node", "start", "--home", home.toString()));
    nodes.set(1, again);
    assertThat(again.awaitValue("listening on ", START)).endsWith("/p2p/" + id);
    again.awaitLine(l -> l.contains(" peer connected "), CONVERGE, "'peer connected'");
    awaitExperts(home, expertIds, CONVERGE);
    CliRun list = CliRun.of("expert", "list", "--home", home.toString(), "--json");
    assertThat(list.out()).contains(expertIds.get(1));
    assertThat(again.stop()).isZero();
  }
}
