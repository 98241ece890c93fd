package dev.amalgam.protocol.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.amalgam.protocol.identify.IdentifyInfo;
import dev.amalgam.protocol.mss.MultistreamChannelHandler;
import dev.amalgam.protocol.mss.MultistreamException;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.noise.NoiseHandshakePayload;
import dev.amalgam.protocol.record.PeerRecord;
import dev.amalgam.protocol.yamux.YamuxException;
import dev.amalgam.protocol.yamux.YamuxFrameDecoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;

/**
 * Coverage-guided fuzzing of the wire decoders (Jazzer). In a normal build these run once over the
 * corpus in src/test/resources; {@code JAZZER_FUZZ=1 mvn -pl protocol test -Dtest=DecoderFuzzTest}
 * fuzzes each for its bounded duration. Decoders may only fail with their own exceptions.
 */
class DecoderFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void yamuxFrames(byte[] input) {
    EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(256 * 1024));
    try {
      ch.writeInbound(Unpooled.wrappedBuffer(input));
      ch.finishAndReleaseAll();
    } catch (DecoderException e) {
      if (!(e.getCause() instanceof YamuxException)) {
        throw e;
      }
      ch.releaseInbound();
    }
  }

  @FuzzTest(maxDuration = "30s")
  void multistreamHandshake(byte[] input) {
    EmbeddedChannel ch =
        new EmbeddedChannel(new MultistreamChannelHandler(false, "/noise", c -> {}));
    try {
      ch.writeInbound(Unpooled.wrappedBuffer(input));
      ch.finishAndReleaseAll();
    } catch (DecoderException e) {
      if (!(e.getCause() instanceof MultistreamException)) {
        throw e;
      }
      ch.releaseInbound();
      ch.releaseOutbound();
    }
  }

  @FuzzTest(maxDuration = "30s")
  void protobufMessages(FuzzedDataProvider data) {
    int which = data.consumeInt(0, 3);
    byte[] bytes = data.consumeRemainingAsBytes();
    try {
      switch (which) {
        case 0 -> IdentifyInfo.decode(bytes);
        case 1 -> NoiseHandshakePayload.decode(bytes);
        case 2 -> PeerRecord.open(bytes);
        default -> Multiaddr.decode(bytes);
      }
    } catch (IllegalArgumentException expected) {
      // every decoder reports bad input as IllegalArgumentException with a message
      if (expected.getMessage() == null || expected.getMessage().isBlank()) {
        throw expected;
      }
    }
  }
}
