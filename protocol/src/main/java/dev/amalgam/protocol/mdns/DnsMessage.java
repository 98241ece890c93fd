package dev.amalgam.protocol.mdns;

import java.util.List;

/** A DNS message as mDNS uses it (RFC 1035 wire format, RFC 6762 semantics). */
public record DnsMessage(
    int id,
    boolean response,
    List<DnsQuestion> questions,
    List<DnsRecord> answers,
    List<DnsRecord> additionals) {

  public static DnsMessage query(DnsQuestion question) {
    return new DnsMessage(0, false, List.of(question), List.of(), List.of());
  }

  public static DnsMessage response(List<DnsRecord> answers, List<DnsRecord> additionals) {
    return new DnsMessage(0, true, List.of(), answers, additionals);
  }

  public byte[] encode() {
    return DnsCodec.encode(this);
  }

  /** Parses a packet; throws IllegalArgumentException naming the offset of what is malformed. */
  public static DnsMessage decode(byte[] packet, int length) {
    return DnsCodec.decode(packet, length);
  }
}
