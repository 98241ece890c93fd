package dev.amalgam.protocol.pubsub;

/** Decides whether a received message is delivered and forwarded. */
@FunctionalInterface
public interface TopicValidator {
  ValidationResult validate(Message message);
}
