package dev.amalgam.protocol.pubsub;

import dev.amalgam.protocol.peer.PeerId;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/** Score counters per peer and topic (P1-P4, P3b) and per peer (P7); not thread-safe. */
final class PeerScore {
  private static final class TopicStats {
    boolean inMesh;
    long graftedAt;
    double firstDeliveries;
    double meshDeliveries;
    boolean meshActive;
    double meshFailurePenalty;
    double invalidDeliveries;
  }

  private static final class PeerStats {
    final Map<String, TopicStats> topics = new HashMap<>();
    double behaviourPenalty;
    boolean connected = true;
    long expiresAt;
  }

  private static final int MAX_TOPICS_PER_PEER = 256;
  private final ScoreParams p;
  private final Map<PeerId, PeerStats> peers = new HashMap<>();

  PeerScore(ScoreParams params) {
    this.p = params;
  }

  ScoreParams params() {
    return p;
  }

  private PeerStats stats(PeerId peer) {
    return peers.computeIfAbsent(peer, x -> new PeerStats());
  }

  private TopicStats topic(PeerId peer, String topic) {
    PeerStats s = stats(peer);
    TopicStats t = s.topics.get(topic);
    if (t == null) {
      if (s.topics.size() >= MAX_TOPICS_PER_PEER) {
        return new TopicStats();
      }
      t = new TopicStats();
      s.topics.put(topic, t);
    }
    return t;
  }

  void connected(PeerId peer) {
    stats(peer).connected = true;
  }

  void disconnected(PeerId peer, long now) {
    PeerStats s = peers.get(peer);
    if (s != null) {
      s.connected = false;
      s.expiresAt = now + p.retainScore().toNanos();
      s.topics.keySet().forEach(t -> pruned(peer, t));
    }
  }

  void grafted(PeerId peer, String topic, long now) {
    TopicStats t = topic(peer, topic);
    t.inMesh = true;
    t.graftedAt = now;
    t.meshActive = false;
    t.meshDeliveries = 0;
  }

  void pruned(PeerId peer, String topic) {
    TopicStats t = topic(peer, topic);
    if (t.meshActive && t.meshDeliveries < p.meshMessageDeliveriesThreshold()) {
      double deficit = p.meshMessageDeliveriesThreshold() - t.meshDeliveries;
      t.meshFailurePenalty += deficit * deficit;
    }
    t.inMesh = false;
    t.meshActive = false;
  }

  void firstDelivery(PeerId peer, String topic) {
    TopicStats t = topic(peer, topic);
    t.firstDeliveries = Math.min(p.firstMessageDeliveriesCap(), t.firstDeliveries + 1);
    if (t.inMesh) {
      t.meshDeliveries = Math.min(p.meshMessageDeliveriesCap(), t.meshDeliveries + 1);
    }
  }

  void duplicateDelivery(PeerId peer, String topic) {
    TopicStats t = topic(peer, topic);
    if (t.inMesh) {
      t.meshDeliveries = Math.min(p.meshMessageDeliveriesCap(), t.meshDeliveries + 1);
    }
  }

  void invalidDelivery(PeerId peer, String topic) {
    topic(peer, topic).invalidDeliveries += 1;
  }

  void behaviourPenalty(PeerId peer, double count) {
    stats(peer).behaviourPenalty += count;
  }

  double score(PeerId peer, long now) {
    PeerStats s = peers.get(peer);
    if (s == null) {
      return 0;
    }
    double topicsTotal = 0;
    for (TopicStats t : s.topics.values()) {
      double ts = 0;
      if (t.inMesh) {
        double quanta = (double) (now - t.graftedAt) / p.timeInMeshQuantum().toNanos();
        ts += p.timeInMeshWeight() * Math.min(quanta, p.timeInMeshCap());
      }
      ts += p.firstMessageDeliveriesWeight() * t.firstDeliveries;
      if (t.inMesh && t.meshActive && t.meshDeliveries < p.meshMessageDeliveriesThreshold()) {
        double deficit = p.meshMessageDeliveriesThreshold() - t.meshDeliveries;
        ts += p.meshMessageDeliveriesWeight() * deficit * deficit;
      }
      ts += p.meshFailurePenaltyWeight() * t.meshFailurePenalty;
      ts += p.invalidMessageDeliveriesWeight() * t.invalidDeliveries * t.invalidDeliveries;
      topicsTotal += p.topicWeight() * ts;
    }
    double score = Math.min(topicsTotal, p.topicScoreCap());
    double excess = s.behaviourPenalty - p.behaviourPenaltyThreshold();
    if (excess > 0) {
      score += p.behaviourPenaltyWeight() * excess * excess;
    }
    return score;
  }

  /** Once per decay interval: decays counters, activates P3, forgets long-gone peers. */
  void decay(long now) {
    Iterator<Map.Entry<PeerId, PeerStats>> it = peers.entrySet().iterator();
    while (it.hasNext()) {
      PeerStats s = it.next().getValue();
      if (!s.connected && s.expiresAt - now < 0) {
        it.remove();
        continue;
      }
      for (TopicStats t : s.topics.values()) {
        t.firstDeliveries = decayed(t.firstDeliveries, p.firstMessageDeliveriesDecay());
        t.meshDeliveries = decayed(t.meshDeliveries, p.meshMessageDeliveriesDecay());
        t.meshFailurePenalty = decayed(t.meshFailurePenalty, p.meshFailurePenaltyDecay());
        t.invalidDeliveries = decayed(t.invalidDeliveries, p.invalidMessageDeliveriesDecay());
        if (t.inMesh && now - t.graftedAt > p.meshMessageDeliveriesActivation().toNanos()) {
          t.meshActive = true;
        }
      }
      s.behaviourPenalty = decayed(s.behaviourPenalty, p.behaviourPenaltyDecay());
    }
  }

  private double decayed(double v, double factor) {
    double d = v * factor;
    return d < p.decayToZero() ? 0 : d;
  }

  int trackedPeers() {
    return peers.size();
  }
}
