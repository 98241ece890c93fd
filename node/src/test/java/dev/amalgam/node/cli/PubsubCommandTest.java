package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.pubsub.Gossipsub;
import dev.amalgam.protocol.pubsub.GossipsubConfig;
import dev.amalgam.protocol.pubsub.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pubsub verbs against one real gossipsub node on loopback. */
class PubsubCommandTest {
  private Host host;
  private Gossipsub router;
  private String bootstrap;

  @BeforeEach
  void start() throws Exception {
    host = new Host(HostConfig.defaults().withTransport(1, true));
    host.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
    router = new Gossipsub(host, GossipsubConfig.defaults()).start();
    bootstrap = host.listenAddresses().get(0).withPeerId(host.peerId()).toString();
  }

  @AfterEach
  void stop() {
    router.close();
    host.close();
  }

  @Test
  void pubDeliversToASubscribedNode() throws Exception {
    List<Message> got = new CopyOnWriteArrayList<>();
    router.subscribe("news", got::add);
    CliRun run = CliRun.of("pubsub", "pub", "news", "hello there", "--bootstrap", bootstrap);
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("published to 1 peers");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (got.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(got).extracting(m -> new String(m.data())).containsExactly("hello there");
  }

  @Test
  void subPrintsEachMessageWithItsSender() throws Exception {
    router.subscribe("news", m -> {});
    CompletableFuture<CliRun> sub =
        CompletableFuture.supplyAsync(
            () -> CliRun.of("pubsub", "sub", "news", "--count", "2", "--bootstrap", bootstrap));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (router.topicPeers("news").isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    router.publish("news", "first".getBytes());
    router.publish("news", "second".getBytes());
    CliRun run = sub.get(30, TimeUnit.SECONDS);
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().lines().toList())
        .containsExactly(host.peerId() + " first", host.peerId() + " second");
  }

  @Test
  void pubWithUnreachableBootstrapFailsWithOneLine() {
    CliRun run = CliRun.of("pubsub", "pub", "t", "m", "--bootstrap", "/ip4/127.0.0.1/tcp/1");
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.err()).contains("cannot reach any --bootstrap peer");
    assertThat(run.errLines()).isEqualTo(1);
  }
}
