package dev.amalgam.protocol.mdns;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** RFC 1035 message encoding (names written uncompressed) and strict decoding. */
final class DnsCodec {
  static final int MAX_PACKET = 9000;
  private static final int CLASS_IN = 1;
  private static final int CACHE_FLUSH = 0x8000;
  private static final int MAX_NAME = 255;
  private static final int MAX_POINTER_JUMPS = 32;

  private DnsCodec() {}

  static byte[] encode(DnsMessage m) {
    Writer w = new Writer();
    w.u16(m.id());
    w.u16(m.response() ? 0x8400 : 0); // QR + AA for responses, as RFC 6762 asks
    w.u16(m.questions().size());
    w.u16(m.answers().size());
    w.u16(0);
    w.u16(m.additionals().size());
    for (DnsQuestion q : m.questions()) {
      w.name(q.name());
      w.u16(q.type());
      w.u16(CLASS_IN);
    }
    for (DnsRecord r : m.answers()) {
      record(w, r);
    }
    for (DnsRecord r : m.additionals()) {
      record(w, r);
    }
    byte[] out = w.out.toByteArray();
    if (out.length > MAX_PACKET) {
      throw new IllegalArgumentException(
          "DNS message of " + out.length + " bytes exceeds " + MAX_PACKET);
    }
    return out;
  }

  private static void record(Writer w, DnsRecord r) {
    w.name(r.name());
    Writer data = new Writer();
    int type;
    boolean unique = true;
    switch (r) {
      case DnsRecord.Ptr p -> {
        type = DnsRecord.TYPE_PTR;
        unique = false;
        data.name(p.target());
      }
      case DnsRecord.Txt t -> {
        type = DnsRecord.TYPE_TXT;
        for (String s : t.strings()) {
          byte[] b = s.getBytes(StandardCharsets.UTF_8);
          if (b.length > 255) {
            throw new IllegalArgumentException("TXT string longer than 255 bytes: " + s);
          }
          data.out.write(b.length);
          data.out.writeBytes(b);
        }
      }
      case DnsRecord.Srv s -> {
        type = DnsRecord.TYPE_SRV;
        data.u16(s.priority());
        data.u16(s.weight());
        data.u16(s.port());
        data.name(s.target());
      }
      case DnsRecord.Address a -> {
        byte[] ip = a.address().getAddress();
        type = ip.length == 4 ? DnsRecord.TYPE_A : DnsRecord.TYPE_AAAA;
        data.out.writeBytes(ip);
      }
      case DnsRecord.Other o ->
          throw new IllegalArgumentException("cannot encode a record of type " + o.type());
    }
    w.u16(type);
    w.u16(CLASS_IN | (unique ? CACHE_FLUSH : 0));
    w.u32(r.ttl());
    byte[] rdata = data.out.toByteArray();
    w.u16(rdata.length);
    w.out.writeBytes(rdata);
  }

  static DnsMessage decode(byte[] packet, int length) {
    if (length > packet.length || length > MAX_PACKET) {
      throw new IllegalArgumentException("DNS message of " + length + " bytes is too large");
    }
    Reader r = new Reader(packet, length);
    int id = r.u16();
    int flags = r.u16();
    int qd = r.u16();
    int an = r.u16();
    int ns = r.u16();
    int ar = r.u16();
    // each question needs at least 5 bytes and each record 11: bound the counts by the size
    if (qd * 5L + (an + ns + ar) * 11L > length - 12) {
      throw new IllegalArgumentException(
          "DNS header counts (" + qd + "/" + an + "/" + ns + "/" + ar + ") exceed the packet");
    }
    List<DnsQuestion> questions = new ArrayList<>(qd);
    for (int i = 0; i < qd; i++) {
      String name = r.name();
      int type = r.u16();
      r.u16(); // class, with the unicast-response bit
      questions.add(new DnsQuestion(name, type));
    }
    List<DnsRecord> answers = records(r, an);
    records(r, ns);
    List<DnsRecord> additionals = records(r, ar);
    return new DnsMessage(id, (flags & 0x8000) != 0, questions, answers, additionals);
  }

  private static List<DnsRecord> records(Reader r, int count) {
    List<DnsRecord> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(record(r));
    }
    return out;
  }

  private static DnsRecord record(Reader r) {
    String name = r.name();
    int type = r.u16();
    r.u16(); // class, with the cache-flush bit
    long ttl = r.u32();
    int len = r.u16();
    int start = r.pos;
    int end = start + len;
    if (end > r.limit) {
      throw new IllegalArgumentException(
          "record data of " + len + " bytes at offset " + start + " runs past the packet");
    }
    DnsRecord rec =
        switch (type) {
          case DnsRecord.TYPE_PTR -> new DnsRecord.Ptr(name, ttl, r.name());
          case DnsRecord.TYPE_TXT -> {
            List<String> strings = new ArrayList<>();
            while (r.pos < end) {
              int n = r.u8();
              if (r.pos + n > end) {
                throw new IllegalArgumentException(
                    "TXT string at offset " + (r.pos - 1) + " runs past its record");
              }
              strings.add(new String(r.buf, r.pos, n, StandardCharsets.UTF_8));
              r.pos += n;
            }
            yield new DnsRecord.Txt(name, ttl, strings);
          }
          case DnsRecord.TYPE_SRV ->
              new DnsRecord.Srv(name, ttl, r.u16(), r.u16(), r.u16(), r.name());
          case DnsRecord.TYPE_A, DnsRecord.TYPE_AAAA -> {
            int want = type == DnsRecord.TYPE_A ? 4 : 16;
            if (len != want) {
              throw new IllegalArgumentException(
                  "address record at offset " + start + " has " + len + " bytes, not " + want);
            }
            byte[] ip = new byte[want];
            System.arraycopy(r.buf, start, ip, 0, want);
            r.pos = end;
            try {
              yield new DnsRecord.Address(name, ttl, InetAddress.getByAddress(ip));
            } catch (UnknownHostException e) {
              throw new IllegalStateException(e);
            }
          }
          default -> new DnsRecord.Other(name, type, ttl);
        };
    if (r.pos > end) {
      throw new IllegalArgumentException("record data at offset " + start + " overruns its length");
    }
    r.pos = end;
    return rec;
  }

  private static final class Writer {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void u16(int v) {
      out.write(v >>> 8);
      out.write(v);
    }

    void u32(long v) {
      u16((int) (v >>> 16) & 0xffff);
      u16((int) v & 0xffff);
    }

    void name(String name) {
      String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
      if (!n.isEmpty()) {
        for (String label : n.split("\\.", -1)) {
          byte[] b = label.getBytes(StandardCharsets.UTF_8);
          if (b.length == 0 || b.length > 63) {
            throw new IllegalArgumentException("bad DNS label '" + label + "' in " + name);
          }
          out.write(b.length);
          out.writeBytes(b);
        }
      }
      out.write(0);
    }
  }

  private static final class Reader {
    final byte[] buf;
    final int limit;
    int pos;

    Reader(byte[] buf, int limit) {
      this.buf = buf;
      this.limit = limit;
    }

    private void need(int n) {
      if (pos + n > limit) {
        throw new IllegalArgumentException(
            "DNS message truncated at offset " + pos + " (needs " + n + " more bytes)");
      }
    }

    int u8() {
      need(1);
      return buf[pos++] & 0xff;
    }

    int u16() {
      need(2);
      int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
      pos += 2;
      return v;
    }

    long u32() {
      return ((long) u16() << 16) | u16();
    }

    /** Reads a name, following compression pointers that only point backwards. */
    String name() {
      StringBuilder sb = new StringBuilder();
      int p = pos;
      int resumeAt = -1;
      int jumps = 0;
      while (true) {
        if (p >= limit) {
          throw new IllegalArgumentException("DNS name at offset " + p + " runs past the packet");
        }
        int len = buf[p] & 0xff;
        if ((len & 0xc0) == 0xc0) {
          if (p + 1 >= limit) {
            throw new IllegalArgumentException("truncated name pointer at offset " + p);
          }
          int target = ((len & 0x3f) << 8) | (buf[p + 1] & 0xff);
          if (target >= p || ++jumps > MAX_POINTER_JUMPS) {
            throw new IllegalArgumentException(
                "name pointer at offset " + p + " to " + target + " does not point backwards");
          }
          if (resumeAt < 0) {
            resumeAt = p + 2;
          }
          p = target;
          continue;
        }
        if ((len & 0xc0) != 0) {
          throw new IllegalArgumentException("bad label length byte at offset " + p);
        }
        p++;
        if (len == 0) {
          break;
        }
        if (p + len > limit) {
          throw new IllegalArgumentException(
              "DNS label at offset " + (p - 1) + " runs past packet");
        }
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(new String(buf, p, len, StandardCharsets.UTF_8));
        if (sb.length() > MAX_NAME) {
          throw new IllegalArgumentException("DNS name at offset " + pos + " exceeds 255 bytes");
        }
        p += len;
      }
      pos = resumeAt >= 0 ? resumeAt : p;
      return sb.toString();
    }
  }
}
