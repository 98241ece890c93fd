package dev.amalgam.protocol.noise;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import java.util.List;

/**
 * Encrypts outgoing bytes into length-prefixed Noise transport messages (at most 65519 plaintext
 * bytes each) and decrypts incoming frames (already split by a 2-byte length decoder).
 */
public final class NoiseTransportCodec extends MessageToMessageCodec<ByteBuf, ByteBuf> {
  public static final int MAX_PLAINTEXT = 65535 - CipherState.TAG_LENGTH;
  private final NoiseXX.TransportCiphers ciphers;

  public NoiseTransportCodec(NoiseXX.TransportCiphers ciphers) {
    this.ciphers = ciphers;
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) throws Exception {
    ByteBuf frames = Unpooled.buffer(msg.readableBytes() + 64);
    while (msg.isReadable()) {
      int n = Math.min(MAX_PLAINTEXT, msg.readableBytes());
      byte[] plain = new byte[n];
      msg.readBytes(plain);
      byte[] ct = ciphers.encrypt(plain);
      frames.writeShort(ct.length);
      frames.writeBytes(ct);
    }
    out.add(frames);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out)
      throws Exception {
    byte[] ct = ByteBufUtil.getBytes(frame);
    out.add(Unpooled.wrappedBuffer(ciphers.decrypt(ct)));
  }
}
