package dev.amalgam.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.kad.KadConfig;
import dev.amalgam.protocol.kad.KadDht;
import dev.amalgam.protocol.kad.Validators;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The dht verbs against a small DHT of real hosts on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DhtCommandTest {
  private final List<Host> hosts = new ArrayList<>();
  private final List<KadDht> dhts = new ArrayList<>();
  private String bootstrap;

  @BeforeAll
  void startDht() throws Exception {
    KadConfig cfg =
        KadConfig.defaults()
            .withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(10))
            .withValidators(Validators.amalgam());
    for (int i = 0; i < 4; i++) {
      Host h = new Host(HostConfig.defaults().withTransport(1, true));
      h.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
      hosts.add(h);
      dhts.add(new KadDht(h, cfg).start());
    }
    Multiaddr first = hosts.get(0).listenAddresses().get(0).withPeerId(hosts.get(0).peerId());
    for (int i = 1; i < 4; i++) {
      dhts.get(i).bootstrap(List.of(first));
    }
    bootstrap = hosts.get(2).listenAddresses().get(0).withPeerId(hosts.get(2).peerId()).toString();
  }

  @AfterAll
  void stopDht() {
    dhts.forEach(KadDht::close);
    hosts.forEach(Host::close);
  }

  @Test
  void provideThenProvidersFindsTheAnnouncingPeer() {
    CliRun provide = CliRun.of("dht", "provide", "expert-123", "--bootstrap", bootstrap);
    assertThat(provide.exitCode()).as(provide.err()).isZero();
    String peer = provide.out().split(" as ")[1].split(" ")[0];
    CliRun providers = CliRun.of("dht", "providers", "expert-123", "--bootstrap", bootstrap);
    assertThat(providers.exitCode()).as(providers.err()).isZero();
    assertThat(providers.out()).startsWith(peer + " /ip4/127.0.0.1/tcp/");
  }

  @Test
  void putThenGetReturnsTheValue() {
    CliRun put = CliRun.of("dht", "put", "/amalgam/head", "merge-42", "--bootstrap", bootstrap);
    assertThat(put.exitCode()).as(put.err()).isZero();
    CliRun get = CliRun.of("dht", "get", "/amalgam/head", "--bootstrap", bootstrap, "--json");
    assertThat(get.exitCode()).as(get.err()).isZero();
    assertThat(get.out()).contains("\"value\" : \"merge-42\"");
  }

  @Test
  void getOfMissingKeyFailsWithOneLine() {
    CliRun get = CliRun.of("dht", "get", "/amalgam/never-put", "--bootstrap", bootstrap);
    assertThat(get.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(get.err()).contains("no value found for /amalgam/never-put");
    assertThat(get.errLines()).isEqualTo(1);
  }

  @Test
  void putWithoutValidatorFailsWithOneLine() {
    CliRun put = CliRun.of("dht", "put", "/unknown/x", "v", "--bootstrap", bootstrap);
    assertThat(put.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(put.err()).contains("no validator for record namespace 'unknown'");
    assertThat(put.errLines()).isEqualTo(1);
  }

  @Test
  void bootstrapWithoutPeerIdIsRejected() {
    CliRun run = CliRun.of("dht", "providers", "x", "--bootstrap", "/ip4/127.0.0.1/tcp/1");
    assertThat(run.exitCode()).isEqualTo(Amalgam.EXIT_FAILURE);
    assertThat(run.err()).contains("missing /p2p/<peer id>");
  }
}
