package dev.amalgam.protocol.mdns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsMessageTest {
  private static DnsMessage roundTrip(DnsMessage m) {
    byte[] b = m.encode();
    return DnsMessage.decode(b, b.length);
  }

  @Test
  void queryRoundTripsWithTheServiceQuestion() {
    DnsMessage q =
        roundTrip(DnsMessage.query(new DnsQuestion(MdnsDiscovery.SERVICE, DnsRecord.TYPE_PTR)));
    assertThat(q.response()).isFalse();
    assertThat(q.questions())
        .containsExactly(new DnsQuestion("_p2p._udp.local", DnsRecord.TYPE_PTR));
  }

  @Test
  void responseRoundTripsEveryRecordType() throws Exception {
    List<DnsRecord> answers =
        List.of(new DnsRecord.Ptr("_p2p._udp.local", 120, "abc._p2p._udp.local"));
    List<DnsRecord> extra =
        List.of(
            new DnsRecord.Txt(
                "abc._p2p._udp.local", 120, List.of("dnsaddr=/ip4/10.0.0.1/tcp/4001")),
            new DnsRecord.Srv("abc._p2p._udp.local", 120, 0, 0, 4001, "abc.local"),
            new DnsRecord.Address("abc.local", 120, InetAddress.getByName("10.0.0.1")),
            new DnsRecord.Address("abc.local", 120, InetAddress.getByName("fe80::1")));
    DnsMessage r = roundTrip(DnsMessage.response(answers, extra));
    assertThat(r.response()).isTrue();
    assertThat(r.answers()).isEqualTo(answers);
    assertThat(r.additionals()).isEqualTo(extra);
  }

  @Test
  void followsCompressionPointers() {
    // response, 1 answer: "_p2p._udp.local" PTR -> "x" + pointer to offset 12 (the owner name)
    byte[] p =
        HexFormat.of()
            .parseHex(
                "000084000000000100000000"
                    + "045f703270045f756470056c6f63616c00"
                    + "000c0001"
                    + "00000078"
                    + "0004"
                    + "0178c00c");
    DnsMessage m = DnsMessage.decode(p, p.length);
    assertThat(m.answers())
        .containsExactly(new DnsRecord.Ptr("_p2p._udp.local", 120, "x._p2p._udp.local"));
  }

  @Test
  void rejectsPointerThatDoesNotPointBackwards() {
    // the question name is a pointer to itself: a loop
    byte[] p = HexFormat.of().parseHex("000000000001000000000000" + "c00c" + "000c0001");
    assertThatThrownBy(() -> DnsMessage.decode(p, p.length))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offset 12")
        .hasMessageContaining("does not point backwards");
  }

  @Test
  void rejectsCountsLargerThanThePacket() {
    byte[] p = HexFormat.of().parseHex("00000000ffff000000000000");
    assertThatThrownBy(() -> DnsMessage.decode(p, p.length))
        .hasMessageContaining("exceed the packet");
  }

  @Test
  void rejectsTruncatedRecordData() {
    byte[] full =
        DnsMessage.response(
                List.of(new DnsRecord.Txt("a.local", 120, List.of("dnsaddr=/ip4/1.2.3.4/tcp/1"))),
                List.of())
            .encode();
    assertThatThrownBy(() -> DnsMessage.decode(full, full.length - 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("runs past the packet");
  }

  @Test
  void rejectsAddressRecordOfWrongLength() {
    byte[] p =
        HexFormat.of()
            .parseHex(
                "000084000000000100000000"
                    + "0161"
                    + "00"
                    + "00010001"
                    + "00000078"
                    + "0003"
                    + "0a0000");
    assertThatThrownBy(() -> DnsMessage.decode(p, p.length))
        .hasMessageContaining("has 3 bytes, not 4");
  }

  @Test
  void rejectsTxtStringRunningPastItsRecord() {
    byte[] p =
        HexFormat.of()
            .parseHex(
                "000084000000000100000000"
                    + "0161"
                    + "00"
                    + "00100001"
                    + "00000078"
                    + "0002"
                    + "0561"
                    + "00");
    assertThatThrownBy(() -> DnsMessage.decode(p, p.length))
        .hasMessageContaining("TXT string at offset");
  }

  @Test
  void decodesGarbageOnlyIntoIllegalArgumentExceptions() {
    java.util.Random rnd = new java.util.Random(7);
    byte[] valid =
        DnsMessage.response(
                List.of(new DnsRecord.Ptr("_p2p._udp.local", 120, "abc._p2p._udp.local")),
                List.of(
                    new DnsRecord.Txt(
                        "abc._p2p._udp.local", 120, List.of("dnsaddr=/ip4/1.2.3.4/tcp/5"))))
            .encode();
    for (int i = 0; i < 20_000; i++) {
      byte[] b = valid.clone();
      for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
        b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
      }
      int len = rnd.nextInt(b.length + 1);
      try {
        DnsMessage.decode(b, len);
      } catch (IllegalArgumentException expected) {
        // the only failure mode allowed
      }
    }
  }
}
