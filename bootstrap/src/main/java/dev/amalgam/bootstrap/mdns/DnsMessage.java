package dev.amalgam.bootstrap.mdns;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of DNS (RFC 1035, with the mDNS bits of RFC 6762) that libp2p mDNS needs: questions, and
 * PTR and TXT records; other record types are carried as opaque data. Names are written without
 * compression and read with it.
 */
public record DnsMessage(
    int id, int flags, List<Question> questions, List<Record> answers, List<Record> additionals) {
  public static final int TYPE_A = 1;
  public static final int TYPE_PTR = 12;
  public static final int TYPE_TXT = 16;
  public static final int CLASS_IN = 1;
  public static final int FLAG_RESPONSE = 0x8400; // QR + AA
  private static final int MAX_POINTERS = 32;

  public record Question(String name, int type) {}

  /** A resource record; {@code target} is set for PTR, {@code strings} for TXT. */
  public record Record(
      String name, int type, long ttl, String target, List<String> strings, byte[] rdata) {
    public static Record ptr(String name, String target, long ttl) {
      return new Record(name, TYPE_PTR, ttl, target, List.of(), null);
    }

    public static Record txt(String name, List<String> strings, long ttl) {
      return new Record(name, TYPE_TXT, ttl, null, List.copyOf(strings), null);
    }
  }

  public boolean isResponse() {
    return (flags & 0x8000) != 0;
  }

  public List<Record> allRecords() {
    List<Record> all = new ArrayList<>(answers);
    all.addAll(additionals);
    return all;
  }

  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeU16(out, id);
    writeU16(out, flags);
    writeU16(out, questions.size());
    writeU16(out, answers.size());
    writeU16(out, 0);
    writeU16(out, additionals.size());
    for (Question q : questions) {
      name(out, q.name());
      writeU16(out, q.type());
      writeU16(out, CLASS_IN);
    }
    for (List<Record> section : List.of(answers, additionals)) {
      for (Record r : section) {
        name(out, r.name());
        writeU16(out, r.type());
        writeU16(out, CLASS_IN);
        int ttl = (int) r.ttl();
        out.write(ttl >>> 24);
        out.write(ttl >>> 16);
        out.write(ttl >>> 8);
        out.write(ttl);
        ByteArrayOutputStream rdata = new ByteArrayOutputStream();
        switch (r.type()) {
          case TYPE_PTR -> name(rdata, r.target());
          case TYPE_TXT -> {
            for (String s : r.strings()) {
              byte[] b = s.getBytes(StandardCharsets.UTF_8);
              if (b.length > 255) {
                throw new IllegalArgumentException("TXT string longer than 255 bytes: " + s);
              }
              rdata.write(b.length);
              rdata.writeBytes(b);
            }
          }
          default -> rdata.writeBytes(r.rdata());
        }
        writeU16(out, rdata.size());
        out.writeBytes(rdata.toByteArray());
      }
    }
    return out.toByteArray();
  }

  private static void writeU16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  private static void name(ByteArrayOutputStream out, String name) {
    for (String label : name.split("\\.")) {
      byte[] b = label.getBytes(StandardCharsets.UTF_8);
      if (b.length == 0 || b.length > 63) {
        throw new IllegalArgumentException("DNS label of " + b.length + " bytes in " + name);
      }
      out.write(b.length);
      out.writeBytes(b);
    }
    out.write(0);
  }

  /**
   * Decodes a datagram.
   *
   * @throws IllegalArgumentException naming the offset where the message is malformed
   */
  public static DnsMessage decode(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    try {
      int id = u16(b);
      int flags = u16(b);
      int qd = u16(b);
      int an = u16(b);
      int ns = u16(b);
      int ar = u16(b);
      List<Question> qs = new ArrayList<>();
      for (int i = 0; i < qd; i++) {
        String name = readName(b, data);
        int type = u16(b);
        u16(b); // class, with the unicast-response bit
        qs.add(new Question(name, type));
      }
      List<Record> answers = records(b, data, an);
      records(b, data, ns);
      List<Record> additionals = records(b, data, ar);
      return new DnsMessage(id, flags, qs, answers, additionals);
    } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("DNS message truncated at offset " + b.position());
    }
  }

  private static List<Record> records(ByteBuffer b, byte[] data, int count) {
    List<Record> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = readName(b, data);
      int type = u16(b);
      u16(b); // class, with the cache-flush bit
      long ttl = Integer.toUnsignedLong(b.getInt());
      int len = u16(b);
      int end = b.position() + len;
      if (end > data.length) {
        throw new IllegalArgumentException(
            "DNS record data at offset " + b.position() + " runs past the end");
      }
      switch (type) {
        case TYPE_PTR -> out.add(new Record(name, type, ttl, readName(b, data), List.of(), null));
        case TYPE_TXT -> {
          List<String> strings = new ArrayList<>();
          while (b.position() < end) {
            int n = b.get() & 0xff;
            byte[] s = new byte[n];
            b.get(s);
            strings.add(new String(s, StandardCharsets.UTF_8));
          }
          out.add(new Record(name, type, ttl, null, strings, null));
        }
        default -> {
          byte[] rdata = new byte[len];
          b.get(rdata);
          out.add(new Record(name, type, ttl, null, List.of(), rdata));
        }
      }
      b.position(end);
    }
    return out;
  }

  private static int u16(ByteBuffer b) {
    return b.getShort() & 0xffff;
  }

  private static String readName(ByteBuffer b, byte[] data) {
    StringBuilder name = new StringBuilder();
    int pos = b.position();
    int resumeAt = -1;
    int pointers = 0;
    while (true) {
      int len = data[pos] & 0xff;
      if ((len & 0xc0) == 0xc0) {
        if (++pointers > MAX_POINTERS) {
          throw new IllegalArgumentException("DNS name pointer loop at offset " + pos);
        }
        int target = ((len & 0x3f) << 8) | (data[pos + 1] & 0xff);
        if (resumeAt < 0) {
          resumeAt = pos + 2;
        }
        pos = target;
        continue;
      }
      if (len == 0) {
        pos++;
        break;
      }
      if (len > 63) {
        throw new IllegalArgumentException("DNS label length " + len + " at offset " + pos);
      }
      if (!name.isEmpty()) {
        name.append('.');
      }
      name.append(new String(data, pos + 1, len, StandardCharsets.UTF_8));
      pos += 1 + len;
    }
    b.position(resumeAt >= 0 ? resumeAt : pos);
    return name.toString();
  }
}
