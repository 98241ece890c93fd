package dev.amalgam.protocol.pubsub;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last {@code windows} heartbeats of forwarded messages, for IWANT replies; the newest {@code
 * gossipWindows} are advertised in IHAVE. Each window holds at most {@code maxPerWindow}.
 */
final class MessageCache {
  record Entry(ByteBuffer id, PubsubMessage message) {}

  private final int gossipWindows;
  private final int maxPerWindow;
  private final Deque<List<Entry>> windows = new ArrayDeque<>();
  private final Map<ByteBuffer, PubsubMessage> byId = new HashMap<>();
  private final Map<ByteBuffer, Map<Object, Integer>> transmissions = new HashMap<>();

  MessageCache(int windows, int gossipWindows, int maxPerWindow) {
    this.gossipWindows = gossipWindows;
    this.maxPerWindow = maxPerWindow;
    for (int i = 0; i < windows; i++) {
      this.windows.addLast(new ArrayList<>());
    }
  }

  boolean put(byte[] id, PubsubMessage m) {
    ByteBuffer key = ByteBuffer.wrap(id);
    List<Entry> current = windows.peekFirst();
    if (byId.containsKey(key) || current.size() >= maxPerWindow) {
      return false;
    }
    current.add(new Entry(key, m));
    byId.put(key, m);
    return true;
  }

  PubsubMessage get(byte[] id) {
    return byId.get(ByteBuffer.wrap(id));
  }

  /** Counts one more IWANT answer of {@code id} to {@code peer}; returns the new count. */
  int countTransmission(byte[] id, Object peer) {
    return transmissions
        .computeIfAbsent(ByteBuffer.wrap(id), k -> new HashMap<>())
        .merge(peer, 1, Integer::sum);
  }

  List<byte[]> gossipIds(String topic) {
    List<byte[]> out = new ArrayList<>();
    int i = 0;
    for (List<Entry> w : windows) {
      if (i++ >= gossipWindows) {
        break;
      }
      for (Entry e : w) {
        if (e.message().topic().equals(topic)) {
          out.add(e.id().array());
        }
      }
    }
    return out;
  }

  void shift() {
    List<Entry> dropped = windows.removeLast();
    for (Entry e : dropped) {
      byId.remove(e.id());
      transmissions.remove(e.id());
    }
    windows.addFirst(new ArrayList<>());
  }

  int size() {
    return byId.size();
  }
}
