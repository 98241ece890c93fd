package dev.amalgam.protocol.pubsub;

import dev.amalgam.protocol.proto.ProtoException;
import dev.amalgam.protocol.proto.ProtoReader;
import dev.amalgam.protocol.proto.ProtoWriter;
import java.util.ArrayList;
import java.util.List;

/** The pubsub {@code RPC} protobuf with its control messages; decoding bounds every list. */
public record Rpc(List<SubOpts> subscriptions, List<PubsubMessage> publish, Control control) {
  public static final int MAX_ENTRIES = 5000;

  public record SubOpts(boolean subscribe, String topic) {}

  public record IHave(String topic, List<byte[]> messageIds) {}

  public record Prune(String topic, List<PxPeer> peers, Long backoffSeconds) {}

  /**
   * A peer-exchange entry: a peer id and, when the pruning peer has one, its signed peer record.
   */
  public record PxPeer(byte[] peerId, byte[] signedPeerRecord) {}

  /** IDONTWANT (v1.2) is decoded and counted but not acted on. */
  public record Control(
      List<IHave> ihave, List<byte[]> iwant, List<String> graft, List<Prune> prune) {
    public static Control empty() {
      return new Control(List.of(), List.of(), List.of(), List.of());
    }

    public boolean isEmpty() {
      return ihave.isEmpty() && iwant.isEmpty() && graft.isEmpty() && prune.isEmpty();
    }
  }

  public Rpc {
    subscriptions = List.copyOf(subscriptions);
    publish = List.copyOf(publish);
    control = control == null ? Control.empty() : control;
  }

  public static Rpc ofMessages(List<PubsubMessage> msgs) {
    return new Rpc(List.of(), msgs, null);
  }

  public static Rpc ofControl(Control c) {
    return new Rpc(List.of(), List.of(), c);
  }

  public byte[] encode() {
    ProtoWriter w = new ProtoWriter();
    for (SubOpts s : subscriptions) {
      w.message(1, new ProtoWriter().varint(1, s.subscribe() ? 1 : 0).string(2, s.topic()));
    }
    for (PubsubMessage m : publish) {
      w.bytes(2, m.encode());
    }
    if (!control.isEmpty()) {
      ProtoWriter c = new ProtoWriter();
      for (IHave ih : control.ihave()) {
        ProtoWriter x = new ProtoWriter().string(1, ih.topic());
        ih.messageIds().forEach(id -> x.bytes(2, id));
        c.message(1, x);
      }
      if (!control.iwant().isEmpty()) {
        ProtoWriter x = new ProtoWriter();
        control.iwant().forEach(id -> x.bytes(1, id));
        c.message(2, x);
      }
      for (String g : control.graft()) {
        c.message(3, new ProtoWriter().string(1, g));
      }
      for (Prune p : control.prune()) {
        ProtoWriter x = new ProtoWriter().string(1, p.topic());
        for (PxPeer px : p.peers()) {
          ProtoWriter info = new ProtoWriter().bytes(1, px.peerId());
          if (px.signedPeerRecord() != null) {
            info.bytes(2, px.signedPeerRecord());
          }
          x.message(2, info);
        }
        if (p.backoffSeconds() != null) {
          x.varint(3, p.backoffSeconds());
        }
        c.message(4, x);
      }
      w.message(3, c);
    }
    return w.toByteArray();
  }

  public static Rpc decode(byte[] raw) {
    ProtoReader r = new ProtoReader("pubsub RPC", raw);
    List<SubOpts> subs = new ArrayList<>();
    List<PubsubMessage> msgs = new ArrayList<>();
    Control control = null;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> add(subs, decodeSubOpts(r.bytes()), r);
        case 2 -> add(msgs, PubsubMessage.decode(r.bytes()), r);
        case 3 -> control = decodeControl(r.bytes());
        default -> r.skip();
      }
    }
    return new Rpc(subs, msgs, control);
  }

  private static <T> void add(List<T> list, T item, ProtoReader r) {
    if (list.size() >= MAX_ENTRIES) {
      throw r.error("more than " + MAX_ENTRIES + " entries in field " + r.field());
    }
    list.add(item);
  }

  private static SubOpts decodeSubOpts(byte[] raw) {
    ProtoReader r = new ProtoReader("pubsub SubOpts", raw);
    boolean sub = false;
    String topic = null;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> sub = r.bool();
        case 2 -> topic = r.string();
        default -> r.skip();
      }
    }
    if (topic == null) {
      throw new ProtoException("pubsub SubOpts: missing field topicid (2)");
    }
    return new SubOpts(sub, topic);
  }

  private static Control decodeControl(byte[] raw) {
    ProtoReader r = new ProtoReader("pubsub ControlMessage", raw);
    List<IHave> ihave = new ArrayList<>();
    List<byte[]> iwant = new ArrayList<>();
    List<String> graft = new ArrayList<>();
    List<Prune> prune = new ArrayList<>();
    while (r.next()) {
      switch (r.field()) {
        case 1 -> {
          ProtoReader x = new ProtoReader("pubsub ControlIHave", r.bytes());
          String topic = "";
          List<byte[]> ids = new ArrayList<>();
          while (x.next()) {
            switch (x.field()) {
              case 1 -> topic = x.string();
              case 2 -> add(ids, x.bytes(), x);
              default -> x.skip();
            }
          }
          add(ihave, new IHave(topic, ids), r);
        }
        case 2 -> {
          ProtoReader x = new ProtoReader("pubsub ControlIWant", r.bytes());
          while (x.next()) {
            if (x.field() == 1) {
              add(iwant, x.bytes(), x);
            } else {
              x.skip();
            }
          }
        }
        case 3 -> {
          ProtoReader x = new ProtoReader("pubsub ControlGraft", r.bytes());
          String topic = null;
          while (x.next()) {
            if (x.field() == 1) {
              topic = x.string();
            } else {
              x.skip();
            }
          }
          if (topic != null) {
            add(graft, topic, r);
          }
        }
        case 4 -> add(prune, decodePrune(r.bytes()), r);
        default -> r.skip();
      }
    }
    return new Control(ihave, iwant, graft, prune);
  }

  private static Prune decodePrune(byte[] raw) {
    ProtoReader x = new ProtoReader("pubsub ControlPrune", raw);
    String topic = "";
    List<PxPeer> peers = new ArrayList<>();
    Long backoff = null;
    while (x.next()) {
      switch (x.field()) {
        case 1 -> topic = x.string();
        case 2 -> {
          ProtoReader p = new ProtoReader("pubsub PeerInfo", x.bytes());
          byte[] id = null;
          byte[] record = null;
          while (p.next()) {
            switch (p.field()) {
              case 1 -> id = p.bytes();
              case 2 -> record = p.bytes();
              default -> p.skip();
            }
          }
          if (id != null) {
            add(peers, new PxPeer(id, record), p);
          }
        }
        case 3 -> backoff = x.varint();
        default -> x.skip();
      }
    }
    return new Prune(topic, peers, backoff);
  }
}
