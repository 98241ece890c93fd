package dev.amalgam.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.peer.PeerId;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FederationDescriptorTest {
  @TempDir Path dir;
  private final String peer =
      PeerId.fromPublicKey(Ed25519PrivateKey.generate().publicKey()).toString();

  @Test
  void readsYamlWithTopicsBootstrapAndDatasets() throws Exception {
    Path f = dir.resolve("fed.yaml");
    Files.writeString(
        f,
        """
        name: demo
        bootstrap:
          - /ip4/127.0.0.1/tcp/4001/p2p/%s
        datasets:
          evaluation: [bafkeval]
          summaries: [bafksum]
        """
            .formatted(peer));
    FederationDescriptor d = FederationDescriptor.read(f);
    assertThat(d.name()).isEqualTo("demo");
    assertThat(d.expertsTopic()).isEqualTo("amalgam/demo/experts");
    assertThat(d.mergesTopic()).isEqualTo("amalgam/demo/merges");
    assertThat(d.bootstrap()).hasSize(1);
    assertThat(d.bootstrap().get(0).peerId().orElseThrow().toString()).isEqualTo(peer);
    assertThat(d.evaluationDatasets()).containsExactly("bafkeval");
    assertThat(d.summaryDatasets()).containsExactly("bafksum");
  }

  @Test
  void readsJson() throws Exception {
    Path f = dir.resolve("fed.json");
    Files.writeString(f, "{\"name\": \"j\", \"bootstrap\": []}");
    assertThat(FederationDescriptor.read(f).expertsTopic()).isEqualTo("amalgam/j/experts");
  }

  @Test
  void bootstrapWithoutPeerIdNamesFileAndLine() throws Exception {
    Path f = dir.resolve("fed.yaml");
    Files.writeString(f, "name: demo\nbootstrap:\n  - /ip4/127.0.0.1/tcp/4001\n");
    assertThatThrownBy(() -> FederationDescriptor.read(f))
        .isInstanceOf(FederationException.class)
        .hasMessage(
            f + ":3: bootstrap '/ip4/127.0.0.1/tcp/4001': missing /p2p/<peer id> at the end");
  }

  @Test
  void unknownKeyNamesFileAndLine() throws Exception {
    Path f = dir.resolve("fed.yaml");
    Files.writeString(f, "name: demo\ndatasets:\n  eval: [x]\n");
    assertThatThrownBy(() -> FederationDescriptor.read(f))
        .hasMessageStartingWith(f + ":3: unknown key 'eval' in datasets");
  }

  @Test
  void missingNameIsAnError() throws Exception {
    Path f = dir.resolve("fed.yaml");
    Files.writeString(f, "bootstrap: []\n");
    assertThatThrownBy(() -> FederationDescriptor.read(f)).hasMessage(f + ": missing key 'name'");
  }
}
