package dev.amalgam.protocol.host;

/** Serves one inbound stream on its own virtual thread; the stream is closed afterwards. */
@FunctionalInterface
public interface StreamHandler {
  void handle(Stream stream) throws Exception;
}
