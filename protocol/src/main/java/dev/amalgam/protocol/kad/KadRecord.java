package dev.amalgam.protocol.kad;

/** A DHT value record; {@code timeReceived} is RFC 3339, set by the node that stored it. */
public record KadRecord(byte[] key, byte[] value, String timeReceived) {}
