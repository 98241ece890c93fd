package dev.amalgam.protocol.noise;

import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.crypto.PublicKey;
import dev.amalgam.protocol.peer.PeerId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;

/**
 * Runs the libp2p Noise XX handshake on a channel whose inbound side is already split into frames
 * by a 2-byte length decoder. On success it calls {@link Listener#secured} (which replaces this
 * handler with a {@link NoiseTransportCodec} and installs the muxer); on any failure it throws, and
 * the upgrade closes the connection.
 */
public final class NoiseHandshakeHandler extends ChannelInboundHandlerAdapter {
  public static final String PROTOCOL_ID = "/noise";

  /** What the handshake established. */
  public record Result(
      PeerId remotePeer,
      PublicKey remoteKey,
      List<String> remoteMuxers,
      NoiseXX.TransportCiphers ciphers) {}

  /** Called on the event loop when the handshake has been verified. */
  public interface Listener {
    void secured(ChannelHandlerContext ctx, Result result) throws Exception;
  }

  private final NoiseXX noise;
  private final byte[] localPayload;
  private final PeerId expectedRemote;
  private final List<String> localMuxers;
  private final Listener listener;

  public NoiseHandshakeHandler(
      boolean initiator,
      PrivateKey identity,
      PeerId expectedRemote,
      List<String> localMuxers,
      Listener listener) {
    KeyPair staticKey = NoiseXX.generateX25519();
    this.noise = new NoiseXX(initiator, staticKey);
    this.expectedRemote = expectedRemote;
    this.localMuxers = localMuxers;
    this.listener = listener;
    byte[] sig = identity.sign(signedStaticKey(NoiseXX.rawPublic(staticKey)));
    this.localPayload =
        new NoiseHandshakePayload(identity.publicKey().marshal(), sig, localMuxers).encode();
  }

  public static byte[] signedStaticKey(byte[] staticKey) {
    byte[] prefix = NoiseHandshakePayload.SIGNATURE_PREFIX.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[prefix.length + staticKey.length];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(staticKey, 0, out, prefix.length, staticKey.length);
    return out;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    if (noise.isInitiator()) {
      send(ctx, noise.writeMessage(new byte[0]));
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    byte[] message;
    try {
      message = ByteBufUtil.getBytes((ByteBuf) msg);
    } finally {
      ReferenceCountUtil.release(msg);
    }
    if (noise.isInitiator()) {
      Result result = verify(noise.readMessage(message));
      send(ctx, noise.writeMessage(localPayload));
      finish(ctx, result);
    } else if (!noiseSentSecond) {
      noise.readMessage(message);
      noiseSentSecond = true;
      send(ctx, noise.writeMessage(localPayload));
    } else {
      finish(ctx, verify(noise.readMessage(message)));
    }
  }

  private boolean noiseSentSecond;

  private void finish(ChannelHandlerContext ctx, Result result) throws Exception {
    listener.secured(
        ctx,
        new Result(result.remotePeer(), result.remoteKey(), result.remoteMuxers(), noise.split()));
  }

  private Result verify(byte[] payloadBytes) throws NoiseException {
    NoiseHandshakePayload payload;
    PublicKey key;
    try {
      payload = NoiseHandshakePayload.decode(payloadBytes);
      if (payload.identityKey() == null) {
        throw new NoiseException("noise: remote handshake payload lacks identity_key");
      }
      key = PublicKey.unmarshal(payload.identityKey());
    } catch (IllegalArgumentException e) {
      throw new NoiseException("noise: invalid remote handshake payload: " + e.getMessage());
    }
    if (payload.identitySig() == null
        || !key.verify(signedStaticKey(noise.remoteStatic()), payload.identitySig())) {
      throw new NoiseException(
          "noise: remote identity signature does not verify against its Noise static key");
    }
    PeerId remote = PeerId.fromPublicKey(key);
    if (expectedRemote != null && !expectedRemote.equals(remote)) {
      throw new NoiseException(
          "noise: peer id mismatch: dialed " + expectedRemote + " but the remote is " + remote);
    }
    // Both lists present and disjoint is fatal; an absent list means "negotiate with mss".
    if (!payload.streamMuxers().isEmpty()
        && !localMuxers.isEmpty()
        && payload.streamMuxers().stream().noneMatch(localMuxers::contains)) {
      throw new NoiseException(
          "noise: no common stream muxer: remote offers "
              + payload.streamMuxers()
              + ", we offer "
              + localMuxers);
    }
    return new Result(remote, key, payload.streamMuxers(), null);
  }

  private static void send(ChannelHandlerContext ctx, byte[] message) {
    ByteBuf out = Unpooled.buffer(message.length + 2);
    out.writeShort(message.length);
    out.writeBytes(message);
    ctx.writeAndFlush(out);
  }
}
