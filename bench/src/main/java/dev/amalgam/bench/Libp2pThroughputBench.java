package dev.amalgam.bench;

import dev.amalgam.protocol.host.Connection;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.host.Stream;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.transport.TcpTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One-stream throughput on loopback: Amalgam (Noise + yamux) vs raw Netty TCP vs two js-libp2p
 * peers, plus connection set-up latency. Prints a Markdown table.
 *
 * <p>Run from the repository root after {@code mvn -pl bench -am package -DskipTests}: {@code java
 * -cp "bench/target/classes:node/target/lib/*:node/target/amalgam.jar"
 * dev.amalgam.bench.Libp2pThroughputBench [MiB] [runs] [warm-up runs]} (defaults 256, 3, 1)
 */
public final class Libp2pThroughputBench {
  private static final String SINK = "/amalgam/sink/1.0.0";

  public static void main(String[] args) throws Exception {
    long size = (args.length > 0 ? Long.parseLong(args[0]) : 256) << 20;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    warmUps = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    List<String> rows = new ArrayList<>();
    double amalgam = best(runs, () -> amalgamOnce(size));
    double raw = best(runs, () -> rawNettyOnce(size));
    double js = jsBest(size, runs);
    rows.add(row("Amalgam (Noise + yamux, one stream)", size, amalgam));
    rows.add(row("raw Netty TCP", size, raw));
    rows.add(row("js-libp2p 3.3.11 ↔ js-libp2p (Noise + yamux)", size, js));
    rows.add(row("Amalgam → js-libp2p (Noise + yamux)", size, javaToJsBest(size, runs)));
    System.out.println("| transfer | MiB | best of " + runs + " (s) | MiB/s |");
    System.out.println("|---|---:|---:|---:|");
    rows.forEach(System.out::println);
    System.out.printf(
        Locale.ROOT,
        "%nAmalgam / raw TCP = %.0f%%, Amalgam / js = %.1fx (Noise AEAD: %s)%n",
        100 * raw / amalgam,
        js / amalgam,
        dev.amalgam.protocol.crypto.ChaCha20Poly1305.Implementation.preferred());
    double[] setup = setupLatencies(50);
    System.out.printf(
        Locale.ROOT,
        "Connection set-up (TCP + mss + Noise XX + yamux, Java↔Java, %d dials): median %.2f ms, p90 %.2f ms%n",
        setup.length,
        setup[setup.length / 2],
        setup[setup.length * 9 / 10]);
  }

  interface Run {
    double seconds() throws Exception;
  }

  /** Untimed runs before each measured series: the JIT needs several 256 MiB runs to settle. */
  private static int warmUps = 1;

  /** The best of {@code runs} timings after {@link #warmUps} untimed runs. */
  static double best(int runs, Run r) throws Exception {
    for (int i = 0; i < warmUps; i++) {
      r.seconds();
    }
    double best = Double.MAX_VALUE;
    for (int i = 0; i < runs; i++) {
      best = Math.min(best, r.seconds());
    }
    return best;
  }

  private static String row(String what, long size, double seconds) {
    double mib = size / (double) (1 << 20);
    return String.format(
        Locale.ROOT, "| %s | %.0f | %.3f | %.0f |", what, mib, seconds, mib / seconds);
  }

  static double amalgamOnce(long size) throws Exception {
    try (Host server = new Host(HostConfig.defaults());
        Host client = new Host(HostConfig.defaults())) {
      server.setStreamHandler(
          SINK,
          s -> {
            byte[] buf = new byte[64 * 1024];
            while (s.in().read(buf) > 0) {
              // discard
            }
          });
      Multiaddr a =
          server.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).withPeerId(server.peerId());
      Connection c = client.dial(a);
      byte[] chunk = new byte[64 * 1024];
      long start = System.nanoTime();
      try (Stream s = c.newStream(SINK)) {
        for (long left = size; left > 0; left -= chunk.length) {
          s.out().write(chunk, 0, (int) Math.min(chunk.length, left));
        }
        s.closeWrite();
        s.in().readAllBytes();
      }
      return (System.nanoTime() - start) / 1e9;
    }
  }

  private static double rawNettyOnce(long size) throws Exception {
    TcpTransport t = new TcpTransport(true);
    EventLoopGroup group = t.newEventLoopGroup(2, "raw-bench");
    try {
      CompletableFuture<Void> done = new CompletableFuture<>();
      Channel server =
          new ServerBootstrap()
              .group(group)
              .channel(t.serverChannel())
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(
                              new ChannelInboundHandlerAdapter() {
                                long got;

                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                  got += ((ByteBuf) msg).readableBytes();
                                  ReferenceCountUtil.release(msg);
                                  if (got == size) {
                                    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[1]));
                                  }
                                }
                              });
                    }
                  })
              .bind(new InetSocketAddress("127.0.0.1", 0))
              .sync()
              .channel();
      Semaphore writable = new Semaphore(0);
      Channel client =
          new Bootstrap()
              .group(group)
              .channel(t.socketChannel())
              .option(ChannelOption.TCP_NODELAY, true)
              .handler(
                  new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                      ReferenceCountUtil.release(msg);
                      done.complete(null);
                    }

                    @Override
                    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                      writable.release();
                    }
                  })
              .connect(server.localAddress())
              .sync()
              .channel();
      byte[] chunk = new byte[64 * 1024];
      long start = System.nanoTime();
      for (long left = size; left > 0; left -= chunk.length) {
        while (!client.isWritable()) {
          writable.tryAcquire(10, TimeUnit.MILLISECONDS);
        }
        // a copy per write, as the libp2p path makes
        client.writeAndFlush(
            Unpooled.wrappedBuffer(Arrays.copyOf(chunk, (int) Math.min(chunk.length, left))));
      }
      done.get(60, TimeUnit.SECONDS);
      double s = (System.nanoTime() - start) / 1e9;
      client.close().sync();
      server.close().sync();
      return s;
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  /** Amalgam dials a js listener and sends to its sink protocol. */
  private static double javaToJsBest(long size, int runs) throws Exception {
    Path interop = Path.of("interop").toAbsolutePath();
    String node = interop.resolve("node_modules/.bin/node").toString();
    Process listener =
        new ProcessBuilder(node, "peer.mjs", "listen").directory(interop.toFile()).start();
    try (Host client = new Host(HostConfig.defaults())) {
      BufferedReader lr =
          new BufferedReader(
              new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8));
      Connection c = client.dial(Multiaddr.parse(lr.readLine().substring("LISTENING ".length())));
      return best(
          runs,
          () -> {
            byte[] chunk = new byte[64 * 1024];
            long start = System.nanoTime();
            try (Stream s = c.newStream(SINK)) {
              for (long left = size; left > 0; left -= chunk.length) {
                s.out().write(chunk, 0, (int) Math.min(chunk.length, left));
              }
              s.closeWrite();
              s.in().readAllBytes();
            }
            return (System.nanoTime() - start) / 1e9;
          });
    } finally {
      listener.getOutputStream().close();
      if (!listener.waitFor(5, TimeUnit.SECONDS)) {
        listener.destroyForcibly();
      }
    }
  }

  private static double jsBest(long size, int runs) throws Exception {
    Path interop = Path.of("interop").toAbsolutePath();
    String node = interop.resolve("node_modules/.bin/node").toString();
    Process listener =
        new ProcessBuilder(node, "peer.mjs", "listen").directory(interop.toFile()).start();
    try {
      BufferedReader lr =
          new BufferedReader(
              new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8));
      String addr = lr.readLine().substring("LISTENING ".length());
      List<String> cmd = new ArrayList<>(List.of(node, "peer.mjs", "dial", addr));
      for (int i = 0; i < warmUps + runs; i++) {
        cmd.add("send:" + size);
      }
      Process dialer = new ProcessBuilder(cmd).directory(interop.toFile()).start();
      List<Double> times = new ArrayList<>();
      try (BufferedReader r =
          new BufferedReader(
              new InputStreamReader(dialer.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.startsWith("SEND ")) {
            times.add(Double.parseDouble(line.split(" ")[2]) / 1000);
          } else if (line.startsWith("ERROR")) {
            throw new IllegalStateException("js dialer: " + line);
          }
        }
      }
      dialer.waitFor(60, TimeUnit.SECONDS);
      return times.subList(warmUps, times.size()).stream()
          .mapToDouble(Double::doubleValue)
          .min()
          .orElseThrow();
    } finally {
      listener.getOutputStream().close();
      if (!listener.waitFor(5, TimeUnit.SECONDS)) {
        listener.destroyForcibly();
      }
    }
  }

  private static double[] setupLatencies(int dials) throws Exception {
    try (Host server = new Host(HostConfig.defaults().withLimits(4 * dials, 4 * dials, 256));
        Host client = new Host(HostConfig.defaults().withLimits(4 * dials, 4 * dials, 256))) {
      Multiaddr a = server.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
      double[] ms = new double[dials + 10];
      for (int i = 0; i < ms.length; i++) {
        long start = System.nanoTime();
        Connection c = client.dial(a);
        ms[i] = (System.nanoTime() - start) / 1e6;
        c.close();
      }
      double[] measured = Arrays.copyOfRange(ms, 10, ms.length); // drop warm-up
      Arrays.sort(measured);
      return measured;
    }
  }
}
