package dev.amalgam.protocol.bitswap;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.MultiformatException;
import dev.amalgam.multiformats.Varint;
import dev.amalgam.protocol.proto.ProtoException;
import dev.amalgam.protocol.proto.ProtoReader;
import dev.amalgam.protocol.proto.ProtoWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One bitswap message (bitswap-protocol.md):
 *
 * <pre>
 * message Message {
 *   message Wantlist {
 *     enum WantType { Block = 0; Have = 1; }
 *     message Entry { bytes block = 1; int32 priority = 2; bool cancel = 3; WantType wantType = 4;
 *                     bool sendDontHave = 5; }
 *     repeated Entry entries = 1; bool full = 2; }
 *   message Block { bytes prefix = 1; bytes data = 2; }
 *   enum BlockPresenceType { Have = 0; DontHave = 1; }
 *   message BlockPresence { bytes cid = 1; BlockPresenceType type = 2; }
 *   Wantlist wantlist = 1; repeated bytes blocks = 2; repeated Block payload = 3;
 *   repeated BlockPresence blockPresences = 4; int32 pendingBytes = 5; }
 * </pre>
 *
 * Version 1.0.0 peers get blocks in field 2 (CIDv0 only) and no presences.
 */
public record BitswapMessage(
    List<WantEntry> wants,
    boolean fullWantlist,
    List<Block> blocks,
    List<BlockPresence> presences,
    int pendingBytes) {

  public BitswapMessage {
    wants = List.copyOf(wants);
    blocks = List.copyOf(blocks);
    presences = List.copyOf(presences);
  }

  public static BitswapMessage ofWants(List<WantEntry> wants) {
    return new BitswapMessage(wants, false, List.of(), List.of(), 0);
  }

  public boolean isEmpty() {
    return wants.isEmpty() && blocks.isEmpty() && presences.isEmpty() && !fullWantlist;
  }

  /** The message as protobuf bytes, preceded by its uvarint length (one frame on the stream). */
  public byte[] encodeFrame(boolean legacy) {
    ProtoWriter head = new ProtoWriter();
    if (!wants.isEmpty() || fullWantlist) {
      ProtoWriter wl = new ProtoWriter();
      for (WantEntry e : wants) {
        ProtoWriter w = new ProtoWriter().bytes(1, e.cid().bytes());
        if (e.priority() != 0) {
          w.varint(2, e.priority());
        }
        if (e.cancel()) {
          w.varint(3, 1);
        }
        if (!legacy && e.type() == WantType.HAVE) {
          w.varint(4, 1);
        }
        if (!legacy && e.sendDontHave()) {
          w.varint(5, 1);
        }
        wl.message(1, w);
      }
      if (fullWantlist) {
        wl.varint(2, 1);
      }
      head.message(1, wl);
    }
    ProtoWriter tail = new ProtoWriter();
    if (!legacy) {
      for (BlockPresence p : presences) {
        ProtoWriter w = new ProtoWriter().bytes(1, p.cid().bytes());
        if (!p.have()) {
          w.varint(2, 1);
        }
        tail.message(4, w);
      }
      if (pendingBytes != 0) {
        tail.varint(5, pendingBytes);
      }
    }
    byte[] h = head.toByteArray();
    byte[] t = tail.toByteArray();
    long total = h.length + t.length;
    for (Block b : blocks) {
      total += legacy ? fieldSize(b.size()) : fieldSize(payloadSize(b));
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("bitswap message of " + total + " bytes is too large");
    }
    byte[] out = new byte[Varint.size(total) + (int) total];
    int off = Varint.write(total, out, 0);
    System.arraycopy(h, 0, out, off, h.length);
    off += h.length;
    for (Block b : blocks) {
      if (legacy) {
        off = writeTag(out, off, 2, b.size());
      } else {
        off = writeTag(out, off, 3, payloadSize(b));
        off = writeTag(out, off, 1, b.prefix().length);
        System.arraycopy(b.prefix(), 0, out, off, b.prefix().length);
        off += b.prefix().length;
        off = writeTag(out, off, 2, b.size());
      }
      b.data().duplicate().get(out, off, b.size());
      off += b.size();
    }
    System.arraycopy(t, 0, out, off, t.length);
    return out;
  }

  private static int payloadSize(Block b) {
    return fieldSize(b.prefix().length) + fieldSize(b.size());
  }

  /** Size of a length-delimited field with a one-byte tag. */
  private static int fieldSize(int length) {
    return 1 + Varint.size(length) + length;
  }

  private static int writeTag(byte[] out, int off, int field, int length) {
    out[off] = (byte) ((field << 3) | ProtoReader.WIRE_LEN);
    return Varint.write(length, out, off + 1);
  }

  /** Decodes one message; every error names the field and offset. */
  public static BitswapMessage decode(byte[] data) {
    ProtoReader r = new ProtoReader("bitswap message", data);
    List<WantEntry> wants = new ArrayList<>();
    boolean full = false;
    List<Block> blocks = new ArrayList<>();
    List<BlockPresence> presences = new ArrayList<>();
    int pending = 0;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> full = decodeWantlist(r.bytes(), wants);
        case 2 -> blocks.add(new Block(Block.V0_PREFIX, ByteBuffer.wrap(r.bytes())));
        case 3 -> blocks.add(decodeBlock(r.bytes()));
        case 4 -> presences.add(decodePresence(r.bytes()));
        case 5 -> {
          long v = r.varint();
          pending = v < 0 || v > Integer.MAX_VALUE ? 0 : (int) v;
        }
        default -> r.skip();
      }
    }
    return new BitswapMessage(wants, full, blocks, presences, pending);
  }

  private static boolean decodeWantlist(byte[] data, List<WantEntry> out) {
    ProtoReader r = new ProtoReader("bitswap wantlist", data);
    boolean full = false;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> out.add(decodeEntry(r.bytes()));
        case 2 -> full = r.bool();
        default -> r.skip();
      }
    }
    return full;
  }

  private static WantEntry decodeEntry(byte[] data) {
    ProtoReader r = new ProtoReader("bitswap wantlist entry", data);
    Cid cid = null;
    long priority = 0;
    boolean cancel = false;
    WantType type = WantType.BLOCK;
    boolean sendDontHave = false;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> cid = cid(r, r.bytes());
        case 2 -> priority = r.varint();
        case 3 -> cancel = r.bool();
        case 4 -> {
          int t = r.enumValue();
          if (t > 1) {
            throw r.error("unknown wantType " + t);
          }
          type = t == 1 ? WantType.HAVE : WantType.BLOCK;
        }
        case 5 -> sendDontHave = r.bool();
        default -> r.skip();
      }
    }
    if (cid == null) {
      throw new ProtoException("bitswap wantlist entry: missing field 1 (block CID)");
    }
    // int32 on the wire: negative values arrive as 10-byte varints; keep the low 32 bits.
    return new WantEntry(cid, (int) priority, cancel, type, sendDontHave);
  }

  private static Block decodeBlock(byte[] data) {
    ProtoReader r = new ProtoReader("bitswap block", data);
    byte[] prefix = null;
    byte[] bytes = null;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> prefix = r.bytes();
        case 2 -> bytes = r.bytes();
        default -> r.skip();
      }
    }
    if (prefix == null) {
      throw new ProtoException("bitswap block: missing field 1 (prefix)");
    }
    return new Block(prefix, ByteBuffer.wrap(bytes == null ? new byte[0] : bytes));
  }

  private static BlockPresence decodePresence(byte[] data) {
    ProtoReader r = new ProtoReader("bitswap block presence", data);
    Cid cid = null;
    boolean have = true;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> cid = cid(r, r.bytes());
        case 2 -> {
          int t = r.enumValue();
          if (t > 1) {
            throw r.error("unknown presence type " + t);
          }
          have = t == 0;
        }
        default -> r.skip();
      }
    }
    if (cid == null) {
      throw new ProtoException("bitswap block presence: missing field 1 (CID)");
    }
    return new BlockPresence(cid, have);
  }

  private static Cid cid(ProtoReader r, byte[] bytes) {
    try {
      return Cid.decode(bytes);
    } catch (MultiformatException e) {
      throw r.error("field " + r.field() + " is not a CID: " + e.getMessage());
    }
  }
}
