package dev.amalgam.protocol.badinput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.crypto.KeyType;
import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.crypto.PublicKey;
import dev.amalgam.protocol.host.Connection;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.host.Stream;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.ping.Ping;
import dev.amalgam.protocol.yamux.YamuxFrame;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each misbehaving peer loses only its own stream or connection; the host keeps serving. */
class MisbehavingPeersTest {
  private static final AtomicInteger LEAKS = new AtomicInteger();
  private static final Logger LEAK_LOG = Logger.getLogger("io.netty.util.ResourceLeakDetector");

  static {
    LEAK_LOG.addHandler(
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getMessage() != null && r.getMessage().contains("LEAK")) {
              LEAKS.incrementAndGet();
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        });
  }

  private Host server;
  private Multiaddr addr;
  private EventLoopGroup clientGroup;

  @BeforeEach
  void start() throws IOException {
    server =
        new Host(
            HostConfig.defaults()
                .withLimits(2000, 4, 64)
                .withTimeouts(
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(2),
                    Duration.ofMinutes(1),
                    Duration.ofSeconds(1)));
    server.setStreamHandler("/amalgam/echo/1.0.0", s -> s.in().transferTo(s.out()));
    addr = server.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).withPeerId(server.peerId());
    clientGroup = new NioEventLoopGroup(1);
  }

  @AfterEach
  void stop() {
    server.close();
    clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void closesConnectionSendingGarbageInsteadOfMultistream() throws Exception {
    assertThat(sendRawAndAwaitClose(HexFormat.of().parseHex("0568656c6c6f"))).isTrue();
    assertThat(
            sendRawAndAwaitClose(
                "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
        .isTrue();
    assertServerStillServes();
  }

  @Test
  void closesConnectionWithOversizedVarint() throws Exception {
    assertThat(sendRawAndAwaitClose(HexFormat.of().parseHex("ffffffffffff01"))).isTrue();
    assertServerStillServes();
  }

  @Test
  void closesConnectionWhoseNoiseSignatureIsWrong() throws Exception {
    SecuredRawConnection c = SecuredRawConnection.connect(clientGroup, addr, new LyingKey());
    assertThat(c.awaitClosed()).isTrue();
    assertThat(server.connections()).isEmpty();
    assertServerStillServes();
  }

  @Test
  void closesConnectionSendingInvalidYamuxFrameType() throws Exception {
    SecuredRawConnection c =
        SecuredRawConnection.connect(clientGroup, addr, Ed25519PrivateKey.generate());
    c.awaitSecured();
    c.send(SecuredRawConnection.header(7, 0, 1, 0));
    assertThat(c.awaitClosed()).isTrue();
    assertServerStillServes();
  }

  @Test
  void closesConnectionOverflowingTheSendWindow() throws Exception {
    SecuredRawConnection c =
        SecuredRawConnection.connect(clientGroup, addr, Ed25519PrivateKey.generate());
    c.awaitSecured();
    c.send(
        SecuredRawConnection.header(
            YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.SYN, 1, 0xFFFF_FFFFL));
    assertThat(c.awaitClosed()).isTrue();
    assertServerStillServes();
  }

  @Test
  void closesConnectionSendingAnOversizedDataFrame() throws Exception {
    SecuredRawConnection c =
        SecuredRawConnection.connect(clientGroup, addr, Ed25519PrivateKey.generate());
    c.awaitSecured();
    int size = 300_000;
    c.send(
        Unpooled.wrappedBuffer(
            SecuredRawConnection.header(YamuxFrame.TYPE_DATA, YamuxFrame.SYN, 1, size),
            Unpooled.wrappedBuffer(new byte[size])));
    assertThat(c.awaitClosed()).isTrue();
    assertServerStillServes();
  }

  @Test
  void resetsOnlyTheStreamOfAPeerThatStopsReading() throws Exception {
    try (Host client = new Host(HostConfig.defaults())) {
      Connection conn = client.dial(addr);
      Stream s = conn.newStream("/amalgam/echo/1.0.0");
      CompletableFuture<Throwable> writer = new CompletableFuture<>();
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  OutputStream out = s.out();
                  byte[] chunk = new byte[64 * 1024];
                  for (int i = 0; i < 1000; i++) {
                    out.write(chunk); // never read the echo
                  }
                  writer.complete(null);
                } catch (IOException e) {
                  writer.complete(e);
                }
              });
      assertThat(writer.get(30, TimeUnit.SECONDS))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("reset by peer");
      try (Stream p = conn.newStream(Ping.PROTOCOL_ID)) {
        assertThat(Ping.ping(p, 1)).hasSize(1);
        p.in().readAllBytes();
      }
      assertThat(conn.isOpen()).isTrue();
    }
  }

  @Test
  void survivesOneThousandMisbehavingConnectionsWithoutLeaks() throws Exception {
    int threadsBefore = Thread.activeCount();
    byte[][] garbage = {
      HexFormat.of().parseHex("ffffffffffff01"),
      HexFormat.of().parseHex("0568656c6c6f"),
      HexFormat.of().parseHex("132f6d756c746973747265616d2f312e302e300a"),
      new byte[0]
    };
    for (int i = 0; i < 1000; i++) {
      try (Socket s = new Socket("127.0.0.1", addr.toTcpSocketAddress().getPort())) {
        s.getOutputStream().write(garbage[i % garbage.length]);
        s.getOutputStream().flush();
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while ((server.upgradingCount() > 0 || !server.connections().isEmpty())
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(server.upgradingCount()).isZero();
    assertThat(server.connections()).isEmpty();
    assertServerStillServes();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50); // let collected buffers reach the leak detector's reference queue
      for (int j = 0; j < 200; j++) {
        ByteBufAllocator.DEFAULT.buffer(64).release();
        Unpooled.buffer(64).release();
      }
    }
    assertThat(LEAKS.get()).as("Netty leak reports").isZero();
    assertThat(Thread.activeCount()).isLessThanOrEqualTo(threadsBefore + 4);
  }

  private boolean sendRawAndAwaitClose(byte[] bytes) throws IOException {
    try (Socket s = new Socket("127.0.0.1", addr.toTcpSocketAddress().getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[1024];
      while (in.read(buf) >= 0) {
        // drain what the server answered until it closes
      }
      return true;
    }
  }

  private void assertServerStillServes() throws Exception {
    try (Host client = new Host(HostConfig.defaults())) {
      try (Stream s = client.dial(addr).newStream(Ping.PROTOCOL_ID)) {
        assertThat(Ping.ping(s, 1)).hasSize(1);
        s.in().readAllBytes();
      }
    }
  }

  /** Signs the wrong bytes, so the Noise identity signature does not verify. */
  private static final class LyingKey implements PrivateKey {
    private final Ed25519PrivateKey real = Ed25519PrivateKey.generate();

    @Override
    public KeyType type() {
      return real.type();
    }

    @Override
    public byte[] raw() {
      return real.raw();
    }

    @Override
    public byte[] sign(byte[] message) {
      return real.sign("something else".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public PublicKey publicKey() {
      return real.publicKey();
    }
  }

  @Test
  void rejectsNothingButTheOffenderWhenIdMismatchIsDialed() {
    try (Host client = new Host(HostConfig.defaults())) {
      Multiaddr wrong =
          server
              .listenAddresses()
              .get(0)
              .withPeerId(
                  dev.amalgam.protocol.peer.PeerId.fromPublicKey(
                      Ed25519PrivateKey.generate().publicKey()));
      assertThatThrownBy(() -> client.dial(wrong)).hasMessageContaining("peer id mismatch");
    }
  }
}
