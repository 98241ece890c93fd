package dev.amalgam.protocol.pubsub;

import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.Stream;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.proto.LengthPrefixed;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/** A hand-driven meshsub peer: writes chosen RPCs and records every RPC it receives. */
final class ScriptedPeer implements AutoCloseable {
  final Host host;
  final BlockingQueue<Rpc> received = new LinkedBlockingQueue<>();
  private Stream out;
  private final AtomicBoolean resetOnNextRpc = new AtomicBoolean();
  volatile boolean resetEveryStream;
  final Set<Stream> inboundStreams = ConcurrentHashMap.newKeySet();
  private long seq = 1;

  private final String protocol;

  ScriptedPeer() throws Exception {
    this(Gossipsub.V11);
  }

  /** A peer that speaks only {@code protocol}. */
  ScriptedPeer(String protocol) throws Exception {
    this.protocol = protocol;
    host = GossipNet.newHost();
    host.setStreamHandler(
        protocol,
        s -> {
          while (true) {
            byte[] raw = LengthPrefixed.read(s.in(), 4 << 20, "rpc");
            if (raw == null) {
              return;
            }
            if (resetEveryStream || resetOnNextRpc.compareAndSet(true, false)) {
              s.reset();
              return;
            }
            received.add(Rpc.decode(raw));
            inboundStreams.add(s);
          }
        });
  }

  /** Resets the router's stream to us when its next RPC arrives, dropping that RPC. */
  void resetOnNextRpc() {
    resetOnNextRpc.set(true);
  }

  PeerId id() {
    return host.peerId();
  }

  void connect(Host target) throws IOException {
    host.dial(GossipNet.addr(target));
    out = host.newStream(target.peerId(), protocol);
  }

  void send(Rpc rpc) throws IOException {
    LengthPrefixed.write(out.out(), rpc.encode());
  }

  void sendRaw(byte[] frame) throws IOException {
    LengthPrefixed.write(out.out(), frame);
  }

  PubsubMessage signed(String topic, byte[] data) {
    PrivateKey k = host.config().identity();
    byte[] s = ByteBuffer.allocate(8).putLong(seq++).array();
    return MessageSigning.sign(new PubsubMessage(id().bytes(), data, s, topic, null, null), k);
  }

  /** Waits for a received RPC matching {@code p}, skipping others. */
  Rpc await(String what, Predicate<Rpc> p) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Rpc r = left > 0 ? received.poll(left, TimeUnit.NANOSECONDS) : null;
      if (r == null) {
        throw new AssertionError("scripted peer never received: " + what);
      }
      if (p.test(r)) {
        return r;
      }
    }
  }

  @Override
  public void close() {
    host.close();
  }
}
