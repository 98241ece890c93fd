package dev.amalgam.protocol.host;

/** Connection events, called on the connection's event loop: keep them short. */
public interface ConnectionListener {
  default void connected(Connection connection) {}

  default void disconnected(Connection connection) {}
}
