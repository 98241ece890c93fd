package dev.amalgam.protocol.noise;

import io.netty.buffer.ByteBuf;
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
    int total = msg.readableBytes();
    int frames = Math.max(1, (total + MAX_PLAINTEXT - 1) / MAX_PLAINTEXT);
    ByteBuf buf = ctx.alloc().heapBuffer(total + frames * (2 + CipherState.TAG_LENGTH));
    try {
      while (msg.isReadable()) {
        int n = Math.min(MAX_PLAINTEXT, msg.readableBytes());
        buf.writeShort(n + CipherState.TAG_LENGTH);
        int at = buf.writerIndex();
        buf.writeBytes(msg, n);
        ciphers.sender().encrypt(buf.array(), buf.arrayOffset() + at, n);
        buf.writerIndex(at + n + CipherState.TAG_LENGTH);
      }
      out.add(buf.retain());
    } finally {
      buf.release();
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out)
      throws Exception {
    int length = frame.readableBytes();
    if (length < CipherState.TAG_LENGTH) {
      throw new NoiseException(
          "noise: transport message of " + length + " bytes is shorter than the 16-byte tag");
    }
    // Room for the tag too: a frame in direct memory is copied here and decrypted in place.
    ByteBuf plain = ctx.alloc().heapBuffer(length);
    try {
      byte[] dst = plain.array();
      int dstOffset = plain.arrayOffset();
      if (frame.hasArray()) {
        ciphers
            .receiver()
            .decrypt(
                frame.array(), frame.arrayOffset() + frame.readerIndex(), length, dst, dstOffset);
      } else {
        frame.getBytes(frame.readerIndex(), dst, dstOffset, length);
        ciphers.receiver().decrypt(dst, dstOffset, length, dst, dstOffset);
      }
      plain.writerIndex(length - CipherState.TAG_LENGTH);
      out.add(plain.retain());
    } finally {
      plain.release();
    }
  }
}
