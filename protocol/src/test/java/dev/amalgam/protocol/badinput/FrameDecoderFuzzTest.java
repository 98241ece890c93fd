package dev.amalgam.protocol.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.protocol.identify.IdentifyInfo;
import dev.amalgam.protocol.mss.MultistreamChannelHandler;
import dev.amalgam.protocol.mss.MultistreamException;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.proto.ProtoException;
import dev.amalgam.protocol.proto.ProtoReader;
import dev.amalgam.protocol.yamux.YamuxException;
import dev.amalgam.protocol.yamux.YamuxFrame;
import dev.amalgam.protocol.yamux.YamuxFrameDecoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random and mutated inputs: decoders either decode or fail with their own clear exception. */
class FrameDecoderFuzzTest {
  private static final int RUNS = 3000;

  @Test
  void yamuxDecoderOnlyThrowsYamuxExceptions() {
    Random r = new Random(42);
    for (int i = 0; i < RUNS; i++) {
      EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(256 * 1024));
      byte[] input = randomFrames(r);
      try {
        ch.writeInbound(Unpooled.wrappedBuffer(input));
      } catch (DecoderException e) {
        assertThat(e.getCause()).isInstanceOf(YamuxException.class);
      }
      Object o;
      while ((o = ch.readInbound()) != null) {
        assertThat(o).isInstanceOf(YamuxFrame.class);
        ReferenceCountUtil.release(o);
      }
      finish(ch, YamuxException.class);
    }
  }

  @Test
  void multistreamHandlerOnlyThrowsMultistreamExceptions() {
    Random r = new Random(7);
    for (int i = 0; i < RUNS; i++) {
      EmbeddedChannel ch =
          new EmbeddedChannel(new MultistreamChannelHandler(false, "/noise", ctx -> {}));
      byte[] input = new byte[r.nextInt(64)];
      r.nextBytes(input);
      if (r.nextBoolean() && input.length > 0) {
        input[0] = (byte) r.nextInt(30);
      }
      try {
        ch.writeInbound(Unpooled.wrappedBuffer(input));
      } catch (DecoderException e) {
        assertThat(e.getCause()).isInstanceOf(MultistreamException.class);
      }
      finish(ch, MultistreamException.class);
    }
  }

  @Test
  void protobufAndMultiaddrParsersOnlyThrowIllegalArgument() {
    Random r = new Random(3);
    for (int i = 0; i < RUNS; i++) {
      byte[] input = new byte[r.nextInt(80)];
      r.nextBytes(input);
      try {
        IdentifyInfo.decode(input);
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).isNotBlank();
      }
      try {
        Multiaddr.decode(input);
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).isNotBlank();
      }
      try {
        ProtoReader pr = new ProtoReader("Fuzz", input);
        while (pr.next()) {
          pr.skip();
        }
      } catch (ProtoException e) {
        assertThat(e.getMessage()).startsWith("Fuzz: ");
      }
    }
  }

  /** Closing runs the decoder once more on leftover bytes; it must fail the same way. */
  private static void finish(EmbeddedChannel ch, Class<? extends Exception> expected) {
    try {
      ch.finishAndReleaseAll();
    } catch (DecoderException e) {
      assertThat(e.getCause()).isInstanceOf(expected);
      ch.releaseInbound();
    }
  }

  private static byte[] randomFrames(Random r) {
    var out = Unpooled.buffer();
    int frames = 1 + r.nextInt(4);
    for (int f = 0; f < frames; f++) {
      int len = r.nextInt(100);
      out.writeByte(r.nextInt(10) == 0 ? r.nextInt(256) : 0);
      out.writeByte(r.nextInt(10) == 0 ? r.nextInt(256) : r.nextInt(4));
      out.writeShort(r.nextInt(16));
      out.writeInt(r.nextInt(8));
      out.writeInt(r.nextInt(20) == 0 ? r.nextInt() : len);
      byte[] data = new byte[r.nextInt(10) == 0 ? r.nextInt(50) : len];
      r.nextBytes(data);
      out.writeBytes(data);
    }
    byte[] b = new byte[out.readableBytes()];
    out.readBytes(b);
    out.release();
    return b;
  }
}
