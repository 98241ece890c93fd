package dev.amalgam.node.home;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The node's {@code config.yaml}: where it listens, whom it bootstraps from, which federation it
 * joins, its limits and data directory. Unknown keys are errors, so a typo never goes unnoticed.
 */
public record NodeConfig(
    @JsonProperty("listen") List<String> listen,
    @JsonProperty("bootstrap") List<String> bootstrap,
    @JsonProperty("federation") String federation,
    @JsonProperty("mdns") Boolean mdns,
    @JsonProperty("api_port") Integer apiPort,
    @JsonProperty("data_dir") String dataDir,
    @JsonProperty("limits") Limits limits,
    @JsonProperty("rounds") Rounds rounds) {

  /** Connection and transfer limits. */
  public record Limits(
      @JsonProperty("max_connections") int maxConnections,
      @JsonProperty("max_connections_per_peer") int maxConnectionsPerPeer,
      @JsonProperty("max_streams_per_connection") int maxStreamsPerConnection,
      @JsonProperty("upload_bytes_per_second_per_peer") long uploadBytesPerSecondPerPeer,
      @JsonProperty("fetch_concurrency") int fetchConcurrency,
      @JsonProperty("bad_peer_penalty_seconds") Long badPeerPenaltySeconds) {
    /** How long a peer that served a block failing verification is avoided by default. */
    public static final long DEFAULT_BAD_PEER_PENALTY_SECONDS = 3600;

    public Limits {
      badPeerPenaltySeconds =
          badPeerPenaltySeconds == null ? DEFAULT_BAD_PEER_PENALTY_SECONDS : badPeerPenaltySeconds;
    }

    public static Limits defaults() {
      return new Limits(256, 4, 512, 0, 8, DEFAULT_BAD_PEER_PENALTY_SECONDS);
    }

    /** How long fetches avoid a peer that served a corrupt block (zero: not at all). */
    public java.time.Duration badPeerPenalty() {
      return java.time.Duration.ofSeconds(badPeerPenaltySeconds);
    }
  }

  /**
   * How much merge-round work the node volunteers: whether it runs rounds proposed on its
   * federation's merges topic, how many at once, and the most input bytes (sum of the input
   * experts' sizes) it fetches and merges for one round.
   */
  public record Rounds(
      @JsonProperty("participate") Boolean participate,
      @JsonProperty("max_concurrent") Integer maxConcurrent,
      @JsonProperty("max_input_bytes") Long maxInputBytes) {
    public Rounds {
      participate = participate == null ? Boolean.FALSE : participate;
      maxConcurrent = maxConcurrent == null ? 1 : maxConcurrent;
      maxInputBytes = maxInputBytes == null ? 4L << 30 : maxInputBytes;
    }

    public static Rounds defaults() {
      return new Rounds(false, 1, 4L << 30);
    }
  }

  private static final YAMLMapper YAML =
      YAMLMapper.builder(
              YAMLFactory.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .build();

  public NodeConfig {
    listen = listen == null ? List.of() : List.copyOf(listen);
    bootstrap = bootstrap == null ? List.of() : List.copyOf(bootstrap);
    federation = federation == null ? "default" : federation;
    dataDir = dataDir == null ? "data" : dataDir;
    mdns = mdns == null ? Boolean.TRUE : mdns;
    apiPort = apiPort == null ? 5080 : apiPort;
    limits = limits == null ? Limits.defaults() : limits;
    rounds = rounds == null ? Rounds.defaults() : rounds;
  }

  public static NodeConfig defaults() {
    return new NodeConfig(
        List.of("/ip4/0.0.0.0/tcp/4001"),
        List.of(),
        "default",
        true,
        5080,
        "data",
        Limits.defaults(),
        Rounds.defaults());
  }

  public NodeConfig withListen(List<String> addresses) {
    return new NodeConfig(addresses, bootstrap, federation, mdns, apiPort, dataDir, limits, rounds);
  }

  public NodeConfig withBootstrap(List<String> peers) {
    return new NodeConfig(listen, peers, federation, mdns, apiPort, dataDir, limits, rounds);
  }

  public NodeConfig withFederation(String name) {
    return new NodeConfig(listen, bootstrap, name, mdns, apiPort, dataDir, limits, rounds);
  }

  public NodeConfig withMdns(boolean on) {
    return new NodeConfig(listen, bootstrap, federation, on, apiPort, dataDir, limits, rounds);
  }

  public NodeConfig withApiPort(int port) {
    return new NodeConfig(listen, bootstrap, federation, mdns, port, dataDir, limits, rounds);
  }

  public NodeConfig withRounds(Rounds r) {
    return new NodeConfig(listen, bootstrap, federation, mdns, apiPort, dataDir, limits, r);
  }

  private static final java.util.Set<String> KEYS =
      java.util.Set.of(
          "listen", "bootstrap", "federation", "mdns", "api_port", "data_dir", "limits", "rounds");
  private static final java.util.Set<String> ROUND_KEYS =
      java.util.Set.of("participate", "max_concurrent", "max_input_bytes");
  private static final java.util.Set<String> LIMIT_KEYS =
      java.util.Set.of(
          "max_connections",
          "max_connections_per_peer",
          "max_streams_per_connection",
          "upload_bytes_per_second_per_peer",
          "fetch_concurrency",
          "bad_peer_penalty_seconds");

  /**
   * Checks every key of the top level and of {@code limits} before binding, so errors carry lines.
   */
  private static void checkKeys(Path file) throws IOException {
    try (com.fasterxml.jackson.core.JsonParser p = YAML.getFactory().createParser(file.toFile())) {
      int depth = 0;
      String section = null;
      for (com.fasterxml.jackson.core.JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        switch (t) {
          case START_OBJECT, START_ARRAY -> depth++;
          case END_OBJECT, END_ARRAY -> depth--;
          case FIELD_NAME -> {
            String name = p.currentName();
            java.util.Set<String> known =
                depth == 1
                    ? KEYS
                    : depth != 2
                        ? null
                        : "limits".equals(section)
                            ? LIMIT_KEYS
                            : "rounds".equals(section) ? ROUND_KEYS : null;
            if (known != null && !known.contains(name)) {
              throw new HomeException(
                  file
                      + ":"
                      + p.currentLocation().getLineNr()
                      + ": unknown key '"
                      + name
                      + "'"
                      + (depth == 2 ? " in " + section : "")
                      + " (known: "
                      + new java.util.TreeSet<>(known)
                      + ")");
            }
            if (depth == 1) {
              section = name;
            }
          }
          default -> {}
        }
      }
    }
  }

  public static NodeConfig read(Path file) throws HomeException {
    try {
      checkKeys(file);
      NodeConfig config = YAML.readValue(file.toFile(), NodeConfig.class);
      if (config == null) {
        throw new HomeException(file + ": is empty; run 'amalgam init --force' to rewrite it");
      }
      config.validate(file);
      return config;
    } catch (HomeException e) {
      throw e;
    } catch (UnrecognizedPropertyException e) {
      throw new HomeException(
          file
              + ":"
              + e.getLocation().getLineNr()
              + ": unknown key '"
              + e.getPropertyName()
              + "' (known: "
              + e.getKnownPropertyIds()
              + ")");
    } catch (JsonProcessingException e) {
      throw new HomeException(
          file
              + ":"
              + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
              + ": "
              + e.getOriginalMessage());
    } catch (IOException e) {
      throw new HomeException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private void validate(Path file) throws HomeException {
    if (apiPort < 0 || apiPort > 65535) {
      throw new HomeException(file + ": api_port " + apiPort + " is not a TCP port (0-65535)");
    }
    if (!federation.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new HomeException(
          file + ": federation '" + federation + "' must be 1-64 letters, digits, '.', '_' or '-'");
    }
    if (limits.maxConnections() < 1
        || limits.maxConnectionsPerPeer() < 1
        || limits.maxStreamsPerConnection() < 1) {
      throw new HomeException(file + ": limits must be positive");
    }
    if (limits.badPeerPenaltySeconds() < 0) {
      throw new HomeException(
          file
              + ": limits.bad_peer_penalty_seconds "
              + limits.badPeerPenaltySeconds()
              + " must be 0 or more");
    }
    if (rounds.maxConcurrent() < 1) {
      throw new HomeException(
          file + ": rounds.max_concurrent " + rounds.maxConcurrent() + " must be at least 1");
    }
    if (rounds.maxInputBytes() < 1) {
      throw new HomeException(
          file + ": rounds.max_input_bytes " + rounds.maxInputBytes() + " must be positive");
    }
  }

  public void write(Path file) throws IOException {
    String text =
        "# Amalgam node configuration. Keys: docs/operations.md\n" + YAML.writeValueAsString(this);
    AtomicFile.write(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
  }
}
