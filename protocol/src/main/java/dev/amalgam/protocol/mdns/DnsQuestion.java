package dev.amalgam.protocol.mdns;

public record DnsQuestion(String name, int type) {
  static final int TYPE_ANY = 255;

  boolean asks(String recordName, int recordType) {
    return name.equalsIgnoreCase(recordName) && (type == recordType || type == TYPE_ANY);
  }
}
