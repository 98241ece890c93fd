package dev.amalgam.protocol.noise;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import java.nio.ByteBuffer;
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
    int total = msg.readableBytes();
    int frames = Math.max(1, (total + MAX_PLAINTEXT - 1) / MAX_PLAINTEXT);
    ByteBuf buf = ctx.alloc().heapBuffer(total + frames * (2 + CipherState.TAG_LENGTH));
    try {
      while (msg.isReadable()) {
        int n = Math.min(MAX_PLAINTEXT, msg.readableBytes());
        int ctLength = n + CipherState.TAG_LENGTH;
        buf.writeShort(ctLength);
        ByteBuffer target = buf.nioBuffer(buf.writerIndex(), ctLength);
        ciphers.sender().encrypt(msg.nioBuffers(msg.readerIndex(), n), target);
        buf.writerIndex(buf.writerIndex() + ctLength);
        msg.skipBytes(n);
      }
      out.add(buf.retain());
    } finally {
      buf.release();
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out)
      throws Exception {
    int n = frame.readableBytes() - CipherState.TAG_LENGTH;
    if (n < 0) {
      throw new NoiseException(
          "noise: transport message of "
              + frame.readableBytes()
              + " bytes is shorter than the 16-byte tag");
    }
    ByteBuf plain = ctx.alloc().heapBuffer(n);
    try {
      ciphers.receiver().decrypt(frame.nioBuffer(), plain.nioBuffer(0, n));
      plain.writerIndex(n);
      out.add(plain.retain());
    } finally {
      plain.release();
    }
  }
}
