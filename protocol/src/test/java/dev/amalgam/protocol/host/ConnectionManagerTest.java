package dev.amalgam.protocol.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.ping.Ping;
import dev.amalgam.protocol.yamux.YamuxSession;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class ConnectionManagerTest {
  private static final Multiaddr ANY = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");

  @Test
  void slowReaderHoldsTheSenderAtOneWindowAndLosesNothing() throws Exception {
    CountDownLatch startReading = new CountDownLatch(1);
    CompletableFuture<byte[]> received = new CompletableFuture<>();
    try (Host server = new Host(HostConfig.defaults());
        Host client = new Host(HostConfig.defaults())) {
      server.setStreamHandler(
          "/sink",
          s -> {
            startReading.await();
            MessageDigest d = Echo.sha256();
            byte[] buf = new byte[8192];
            int n;
            while ((n = s.in().read(buf)) > 0) {
              d.update(buf, 0, n);
            }
            received.complete(d.digest());
          });
      Multiaddr a = server.listen(ANY).withPeerId(server.peerId());
      Stream s = client.dial(a).newStream("/sink");
      MessageDigest sent = Echo.sha256();
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  byte[] chunk = new byte[100_000];
                  // enough to fill one window with 2 MB left over
                  for (int i = 0; i < YamuxSession.RECEIVE_WINDOW / chunk.length + 20; i++) {
                    java.util.Arrays.fill(chunk, (byte) i);
                    sent.update(chunk);
                    s.out().write(chunk);
                  }
                  s.closeWrite();
                } catch (IOException e) {
                  throw new RuntimeException(e);
                }
              },
              r -> Thread.ofVirtual().start(r));
      Connection serverSide = server.connections(client.peerId()).get(0);
      // the negotiation bytes used a few bytes of the first window
      waitFor(() -> serverSide.bufferedInboundBytes() > YamuxSession.RECEIVE_WINDOW - 100);
      assertThat(writer).isNotDone();
      // the count is per connection: identify's few hundred bytes may be buffered alongside
      assertThat(serverSide.bufferedInboundBytes())
          .isLessThanOrEqualTo(YamuxSession.RECEIVE_WINDOW + 4096);
      startReading.countDown();
      writer.get(30, TimeUnit.SECONDS);
      assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(sent.digest());
    }
  }

  @Test
  void enforcesStreamsPerConnection() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    try (Host server = new Host(HostConfig.defaults().withLimits(16, 2, 3));
        Host client = new Host(HostConfig.defaults())) {
      server.setStreamHandler("/hold", s -> hold.await());
      Connection c = client.dial(server.listen(ANY).withPeerId(server.peerId()));
      c.identified().get(10, TimeUnit.SECONDS);
      // Identify streams may still be open when the first /hold streams arrive and count
      // against the limit too, so open until the server refuses one.
      List<Stream> open = new ArrayList<>();
      Throwable refused = null;
      while (refused == null && open.size() < 10) {
        try {
          open.add(c.newStream("/hold"));
        } catch (java.io.IOException e) {
          refused = e;
        }
      }
      assertThat(refused).isNotNull().hasMessageContaining("reset by peer");
      assertThat(open).hasSizeBetween(1, 3);
      hold.countDown();
      open.forEach(Stream::reset);
      assertThat(c.isOpen()).isTrue();
    }
  }

  @Test
  void enforcesConnectionsPerPeerAndInTotal() throws Exception {
    try (Host server = new Host(HostConfig.defaults().withLimits(2, 1, 16));
        Host client = new Host(HostConfig.defaults());
        Host third = new Host(HostConfig.defaults());
        Host fourth = new Host(HostConfig.defaults())) {
      Multiaddr a = server.listen(ANY);
      client.dial(a);
      // a second connection from the same peer (dialed without /p2p, so no reuse) is refused
      assertThatThrownBy(() -> useConnection(client.dial(a))).isInstanceOf(IOException.class);
      third.dial(a);
      waitFor(() -> server.connections().size() == 2);
      assertThatThrownBy(() -> useConnection(fourth.dial(a))).isInstanceOf(IOException.class);
      assertThat(server.connections()).hasSize(2);
    }
  }

  @Test
  void closesIdleConnectionsAndReportsEvents() throws Exception {
    List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    HostConfig quick =
        HostConfig.defaults()
            .withTimeouts(
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                Duration.ofMillis(300),
                Duration.ofSeconds(5));
    try (Host server = new Host(quick);
        Host client = new Host(HostConfig.defaults())) {
      server.addConnectionListener(
          new ConnectionListener() {
            @Override
            public void connected(Connection c) {
              events.add("up " + c.remotePeer());
            }

            @Override
            public void disconnected(Connection c) {
              events.add("down " + c.remotePeer());
            }
          });
      Connection c = client.dial(server.listen(ANY).withPeerId(server.peerId()));
      waitFor(() -> !c.isOpen());
      waitFor(() -> events.size() == 2);
      assertThat(events).containsExactly("up " + client.peerId(), "down " + client.peerId());
      assertThat(server.connections()).isEmpty();
    }
  }

  private static void useConnection(Connection c) throws IOException {
    try (Stream s = c.newStream(Ping.PROTOCOL_ID)) {
      Ping.ping(s, 1);
      s.in().readAllBytes();
    }
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached in 20 s");
      }
      Thread.sleep(5);
    }
  }
}
