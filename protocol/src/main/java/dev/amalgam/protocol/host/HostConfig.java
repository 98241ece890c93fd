package dev.amalgam.protocol.host;

import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.crypto.PrivateKey;
import java.time.Duration;

/**
 * Host settings. Limits: connections in total and per peer, streams per connection. Timeouts:
 * connection upgrade, stream negotiation, idle connections (no streams, no traffic), and stalled
 * writes (a peer that stops reading). {@code earlyMuxerNegotiation} offers yamux inside the Noise
 * handshake; without it (or when the peer offers none) the muxer is negotiated with
 * multistream-select after the handshake.
 */
public record HostConfig(
    PrivateKey identity,
    int maxConnections,
    int maxConnectionsPerPeer,
    int maxStreamsPerConnection,
    Duration upgradeTimeout,
    Duration negotiationTimeout,
    Duration idleTimeout,
    Duration writeTimeout,
    String agentVersion,
    int eventLoopThreads,
    boolean preferEpoll,
    boolean earlyMuxerNegotiation) {

  public static HostConfig defaults() {
    return new HostConfig(
        Ed25519PrivateKey.generate(),
        256,
        2,
        256,
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Duration.ofMinutes(5),
        Duration.ofSeconds(30),
        "amalgam/0.1.0",
        2,
        true,
        true);
  }

  public HostConfig withIdentity(PrivateKey key) {
    return new HostConfig(
        key,
        maxConnections,
        maxConnectionsPerPeer,
        maxStreamsPerConnection,
        upgradeTimeout,
        negotiationTimeout,
        idleTimeout,
        writeTimeout,
        agentVersion,
        eventLoopThreads,
        preferEpoll,
        earlyMuxerNegotiation);
  }

  public HostConfig withLimits(int connections, int perPeer, int streams) {
    return new HostConfig(
        identity,
        connections,
        perPeer,
        streams,
        upgradeTimeout,
        negotiationTimeout,
        idleTimeout,
        writeTimeout,
        agentVersion,
        eventLoopThreads,
        preferEpoll,
        earlyMuxerNegotiation);
  }

  public HostConfig withTimeouts(
      Duration upgrade, Duration negotiation, Duration idle, Duration write) {
    return new HostConfig(
        identity,
        maxConnections,
        maxConnectionsPerPeer,
        maxStreamsPerConnection,
        upgrade,
        negotiation,
        idle,
        write,
        agentVersion,
        eventLoopThreads,
        preferEpoll,
        earlyMuxerNegotiation);
  }

  public HostConfig withTransport(int threads, boolean epoll) {
    return new HostConfig(
        identity,
        maxConnections,
        maxConnectionsPerPeer,
        maxStreamsPerConnection,
        upgradeTimeout,
        negotiationTimeout,
        idleTimeout,
        writeTimeout,
        agentVersion,
        threads,
        epoll,
        earlyMuxerNegotiation);
  }

  public HostConfig withEarlyMuxerNegotiation(boolean early) {
    return new HostConfig(
        identity,
        maxConnections,
        maxConnectionsPerPeer,
        maxStreamsPerConnection,
        upgradeTimeout,
        negotiationTimeout,
        idleTimeout,
        writeTimeout,
        agentVersion,
        eventLoopThreads,
        preferEpoll,
        early);
  }
}
