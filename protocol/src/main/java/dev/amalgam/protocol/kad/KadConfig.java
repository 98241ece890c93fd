package dev.amalgam.protocol.kad;

import java.time.Duration;

/**
 * Kademlia settings. Defaults follow the spec and js-libp2p (k 20, alpha 10, providers valid 48 h
 * and republished every 22 h, refresh every 10 min); tests shorten the durations.
 */
public record KadConfig(
    String protocolId,
    int k,
    int alpha,
    boolean clientMode,
    Duration rpcTimeout,
    Duration lookupTimeout,
    Duration providerTtl,
    Duration republishInterval,
    Duration refreshInterval,
    Duration recordTtl,
    int maxProviderKeys,
    int maxProvidersPerKey,
    int maxRecords,
    int maxMessageSize,
    int requestsPerSecondPerPeer,
    Validators validators) {
  public static final String IPFS_PROTOCOL = "/ipfs/kad/1.0.0";
  public static final String AMALGAM_PROTOCOL = "/amalgam/kad/1.0.0";

  public static KadConfig defaults() {
    return new KadConfig(
        AMALGAM_PROTOCOL,
        20,
        10,
        false,
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofHours(48),
        Duration.ofHours(22),
        Duration.ofMinutes(10),
        Duration.ofHours(36),
        100_000,
        64,
        100_000,
        1 << 20,
        200,
        Validators.defaults());
  }

  public KadConfig withClientMode(boolean client) {
    return new KadConfig(
        protocolId,
        k,
        alpha,
        client,
        rpcTimeout,
        lookupTimeout,
        providerTtl,
        republishInterval,
        refreshInterval,
        recordTtl,
        maxProviderKeys,
        maxProvidersPerKey,
        maxRecords,
        maxMessageSize,
        requestsPerSecondPerPeer,
        validators);
  }

  public KadConfig withProtocolId(String id) {
    return new KadConfig(
        id,
        k,
        alpha,
        clientMode,
        rpcTimeout,
        lookupTimeout,
        providerTtl,
        republishInterval,
        refreshInterval,
        recordTtl,
        maxProviderKeys,
        maxProvidersPerKey,
        maxRecords,
        maxMessageSize,
        requestsPerSecondPerPeer,
        validators);
  }

  public KadConfig withTimeouts(Duration rpc, Duration lookup) {
    return new KadConfig(
        protocolId,
        k,
        alpha,
        clientMode,
        rpc,
        lookup,
        providerTtl,
        republishInterval,
        refreshInterval,
        recordTtl,
        maxProviderKeys,
        maxProvidersPerKey,
        maxRecords,
        maxMessageSize,
        requestsPerSecondPerPeer,
        validators);
  }

  public KadConfig withProviderTimes(Duration ttl, Duration republish) {
    return new KadConfig(
        protocolId,
        k,
        alpha,
        clientMode,
        rpcTimeout,
        lookupTimeout,
        ttl,
        republish,
        refreshInterval,
        recordTtl,
        maxProviderKeys,
        maxProvidersPerKey,
        maxRecords,
        maxMessageSize,
        requestsPerSecondPerPeer,
        validators);
  }

  public KadConfig withRefreshInterval(Duration refresh) {
    return new KadConfig(
        protocolId,
        k,
        alpha,
        clientMode,
        rpcTimeout,
        lookupTimeout,
        providerTtl,
        republishInterval,
        refresh,
        recordTtl,
        maxProviderKeys,
        maxProvidersPerKey,
        maxRecords,
        maxMessageSize,
        requestsPerSecondPerPeer,
        validators);
  }

  public KadConfig withLimits(int providerKeys, int providersPerKey, int records, int rps) {
    return new KadConfig(
        protocolId,
        k,
        alpha,
        clientMode,
        rpcTimeout,
        lookupTimeout,
        providerTtl,
        republishInterval,
        refreshInterval,
        recordTtl,
        providerKeys,
        providersPerKey,
        records,
        maxMessageSize,
        rps,
        validators);
  }

  public KadConfig withValidators(Validators v) {
    return new KadConfig(
        protocolId,
        k,
        alpha,
        clientMode,
        rpcTimeout,
        lookupTimeout,
        providerTtl,
        republishInterval,
        refreshInterval,
        recordTtl,
        maxProviderKeys,
        maxProvidersPerKey,
        maxRecords,
        maxMessageSize,
        requestsPerSecondPerPeer,
        v);
  }
}
