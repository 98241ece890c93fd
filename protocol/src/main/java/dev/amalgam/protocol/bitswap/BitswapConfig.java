package dev.amalgam.protocol.bitswap;

/**
 * Bitswap limits. {@code maxMessageBytes} caps an inbound frame; {@code maxBlockBytes} is the
 * largest block served or accepted; {@code maxWantsPerPeer} bounds each peer's want-list (a peer
 * that goes past it is disconnected); {@code uploadBytesPerSecondPerPeer} (0 = unlimited)
 * rate-limits the blocks sent to each peer; {@code maxConcurrentUploads} is how many peers are sent
 * blocks at once; {@code targetMessageBytes} is how many block bytes are batched into one message.
 */
public record BitswapConfig(
    int maxMessageBytes,
    int maxBlockBytes,
    int maxWantsPerPeer,
    long uploadBytesPerSecondPerPeer,
    int maxConcurrentUploads,
    int targetMessageBytes) {

  public BitswapConfig {
    if (maxBlockBytes <= 0 || maxMessageBytes < maxBlockBytes + 1024) {
      throw new IllegalArgumentException(
          "maxMessageBytes ("
              + maxMessageBytes
              + ") must exceed maxBlockBytes ("
              + maxBlockBytes
              + ") by at least 1 KiB");
    }
    if (maxWantsPerPeer < 1 || maxConcurrentUploads < 1 || targetMessageBytes < 1) {
      throw new IllegalArgumentException("bitswap limits must be positive");
    }
    if (uploadBytesPerSecondPerPeer < 0) {
      throw new IllegalArgumentException(
          "upload rate must be 0 (unlimited) or positive, got " + uploadBytesPerSecondPerPeer);
    }
  }

  /** 4 MiB frames, 2 MiB blocks, 4096 wants per peer, no rate limit, 32 peers served at once. */
  public static BitswapConfig defaults() {
    return new BitswapConfig(4 << 20, 2 << 20, 4096, 0, 32, 1 << 20);
  }

  public BitswapConfig withUploadRate(long bytesPerSecond) {
    return new BitswapConfig(
        maxMessageBytes,
        maxBlockBytes,
        maxWantsPerPeer,
        bytesPerSecond,
        maxConcurrentUploads,
        targetMessageBytes);
  }

  public BitswapConfig withMaxBlockBytes(int bytes) {
    return new BitswapConfig(
        Math.max(maxMessageBytes, bytes + 1024),
        bytes,
        maxWantsPerPeer,
        uploadBytesPerSecondPerPeer,
        maxConcurrentUploads,
        targetMessageBytes);
  }

  public BitswapConfig withMaxWantsPerPeer(int wants) {
    return new BitswapConfig(
        maxMessageBytes,
        maxBlockBytes,
        wants,
        uploadBytesPerSecondPerPeer,
        maxConcurrentUploads,
        targetMessageBytes);
  }

  public BitswapConfig withMaxConcurrentUploads(int peers) {
    return new BitswapConfig(
        maxMessageBytes,
        maxBlockBytes,
        maxWantsPerPeer,
        uploadBytesPerSecondPerPeer,
        peers,
        targetMessageBytes);
  }
}
