package dev.amalgam.protocol.bitswap.fetch;

import java.time.Duration;

/** A snapshot of a running fetch; {@code bytesPerSecond} is the average since the start. */
public record FetchProgress(
    long blocksDone,
    long blocksTotal,
    long bytesDone,
    double bytesPerSecond,
    int activePeers,
    Duration elapsed) {}
