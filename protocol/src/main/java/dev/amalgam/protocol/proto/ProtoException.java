package dev.amalgam.protocol.proto;

/** A protobuf message that is malformed, truncated or violates a field constraint. */
public class ProtoException extends IllegalArgumentException {
  public ProtoException(String message) {
    super(message);
  }
}
