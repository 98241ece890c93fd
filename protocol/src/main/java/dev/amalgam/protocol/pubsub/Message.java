package dev.amalgam.protocol.pubsub;

import dev.amalgam.protocol.peer.PeerId;

/** A validated message as delivered to subscribers. */
public record Message(
    String topic, byte[] data, PeerId author, long seqno, byte[] id, PeerId receivedFrom) {}
