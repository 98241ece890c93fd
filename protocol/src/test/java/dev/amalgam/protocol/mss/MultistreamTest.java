package dev.amalgam.protocol.mss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MultistreamTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void encodesSpecMessages() {
    assertThat(HEX.formatHex(Multistream.encode(Multistream.PROTOCOL_ID)))
        .isEqualTo("13" + HEX.formatHex("/multistream/1.0.0\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(HEX.formatHex(Multistream.encode("na"))).isEqualTo("036e610a");
    assertThat(HEX.formatHex(Multistream.encode("ls"))).isEqualTo("036c730a");
  }

  @Test
  void listenerKeepsApplicationBytesSentRightBehindTheProposal() throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes(Multistream.encode(Multistream.PROTOCOL_ID));
    wire.writeBytes(Multistream.encode("/x/1"));
    wire.writeBytes("payload".getBytes(StandardCharsets.UTF_8));
    InputStream in = new ByteArrayInputStream(wire.toByteArray());
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    Optional<String> agreed = Multistream.handle(in, answer, "/x/1"::equals);
    assertThat(agreed).contains("/x/1");
    assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("payload");
  }

  @Test
  void listenerAnswersNaThenAcceptsALaterProposal() throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes(Multistream.encode(Multistream.PROTOCOL_ID));
    wire.writeBytes(Multistream.encode("/a/1"));
    wire.writeBytes(Multistream.encode("/b/1"));
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    assertThat(
            Multistream.handle(
                new ByteArrayInputStream(wire.toByteArray()), answer, "/b/1"::equals))
        .contains("/b/1");
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(Multistream.encode(Multistream.PROTOCOL_ID));
    expected.writeBytes(Multistream.encode("na"));
    expected.writeBytes(Multistream.encode("/b/1"));
    assertThat(answer.toByteArray()).isEqualTo(expected.toByteArray());
  }

  @Test
  void dialerWalksProposalsAndReportsNoCommonProtocol() throws IOException {
    ByteArrayOutputStream replies = new ByteArrayOutputStream();
    replies.writeBytes(Multistream.encode(Multistream.PROTOCOL_ID));
    replies.writeBytes(Multistream.encode("na"));
    replies.writeBytes(Multistream.encode("na"));
    assertThatThrownBy(
            () ->
                Multistream.select(
                    new ByteArrayInputStream(replies.toByteArray()),
                    new ByteArrayOutputStream(),
                    List.of("/a/1", "/b/1")))
        .isInstanceOf(ProtocolNotSupportedException.class)
        .hasMessageContaining("none of [/a/1, /b/1]");
  }

  @Test
  void lazyDialerSendsProposalAtOnceAndChecksTheAnswerOnFirstRead() throws IOException {
    ByteArrayOutputStream replies = new ByteArrayOutputStream();
    replies.writeBytes(Multistream.encode(Multistream.PROTOCOL_ID));
    replies.writeBytes(Multistream.encode("/x/1"));
    replies.writeBytes("data".getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    InputStream in =
        Multistream.selectLazy(new ByteArrayInputStream(replies.toByteArray()), sent, "/x/1");
    assertThat(sent.size()).isEqualTo(20 + 6);
    assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("data");

    ByteArrayOutputStream refusal = new ByteArrayOutputStream();
    refusal.writeBytes(Multistream.encode(Multistream.PROTOCOL_ID));
    refusal.writeBytes(Multistream.encode("na"));
    InputStream refused =
        Multistream.selectLazy(
            new ByteArrayInputStream(refusal.toByteArray()), new ByteArrayOutputStream(), "/x/1");
    assertThatThrownBy(refused::read).isInstanceOf(ProtocolNotSupportedException.class);
  }

  @Test
  void rejectsWrongHeaderLongPrefixAndMissingNewline() {
    assertThatThrownBy(
            () -> Multistream.handle(in("052f6e6f7065"), new ByteArrayOutputStream(), p -> true))
        .hasMessageContaining("does not end with a newline");
    assertThatThrownBy(
            () -> Multistream.handle(in("ffff01"), new ByteArrayOutputStream(), p -> true))
        .hasMessageContaining("longer than 2 bytes");
    assertThatThrownBy(
            () -> Multistream.handle(in("042f78790a"), new ByteArrayOutputStream(), p -> true))
        .hasMessageContaining("expected header '/multistream/1.0.0', got '/xy'");
  }

  private static InputStream in(String hex) {
    return new ByteArrayInputStream(HEX.parseHex(hex));
  }
}
