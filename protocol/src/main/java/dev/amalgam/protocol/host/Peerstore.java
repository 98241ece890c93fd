package dev.amalgam.protocol.host;

import dev.amalgam.protocol.crypto.PublicKey;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.record.PeerRecord;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What this host knows about other peers: addresses, protocols, keys, agent. */
public final class Peerstore {
  private static final int MAX_ADDRESSES = 32;
  private static final int MAX_PROTOCOLS = 256;

  private static final class Entry {
    final Set<Multiaddr> addresses = new LinkedHashSet<>();
    final Set<String> protocols = new LinkedHashSet<>();
    PublicKey publicKey;
    String agentVersion;
    PeerRecord certified;
    byte[] certifiedEnvelope;
  }

  private final Map<PeerId, Entry> peers = new ConcurrentHashMap<>();

  public void addAddresses(PeerId peer, Collection<Multiaddr> addresses) {
    Entry e = peers.computeIfAbsent(peer, p -> new Entry());
    synchronized (e) {
      for (Multiaddr a : addresses) {
        if (e.addresses.size() >= MAX_ADDRESSES) {
          break;
        }
        e.addresses.add(
            a.peerId().isPresent()
                ? a.decapsulate(dev.amalgam.protocol.multiaddr.Protocol.P2P)
                : a);
      }
    }
  }

  public void setProtocols(PeerId peer, Collection<String> protocols) {
    Entry e = peers.computeIfAbsent(peer, p -> new Entry());
    synchronized (e) {
      e.protocols.clear();
      protocols.stream().limit(MAX_PROTOCOLS).forEach(e.protocols::add);
    }
  }

  public void setPublicKey(PeerId peer, PublicKey key) {
    if (!peer.matches(key)) {
      throw new IllegalArgumentException("public key does not belong to peer " + peer);
    }
    Entry e = peers.computeIfAbsent(peer, p -> new Entry());
    synchronized (e) {
      e.publicKey = key;
    }
  }

  public void setAgentVersion(PeerId peer, String agent) {
    Entry e = peers.computeIfAbsent(peer, p -> new Entry());
    synchronized (e) {
      e.agentVersion = agent;
    }
  }

  /**
   * Keeps a verified signed peer record, and the envelope it came in (to pass on, e.g. in gossipsub
   * peer exchange), unless a newer one (higher seq) is already stored.
   */
  public void setCertifiedRecord(PeerId peer, PeerRecord record, byte[] envelope) {
    Entry e = peers.computeIfAbsent(peer, p -> new Entry());
    synchronized (e) {
      if (e.certified == null || Long.compareUnsigned(record.seq(), e.certified.seq()) > 0) {
        e.certified = record;
        e.certifiedEnvelope = envelope.clone();
      }
    }
    addAddresses(peer, record.addresses());
  }

  public Optional<PeerRecord> certifiedRecord(PeerId peer) {
    Entry e = peers.get(peer);
    if (e == null) {
      return Optional.empty();
    }
    synchronized (e) {
      return Optional.ofNullable(e.certified);
    }
  }

  /** The signed envelope of the stored peer record, as the peer sealed it. */
  public Optional<byte[]> certifiedEnvelope(PeerId peer) {
    Entry e = peers.get(peer);
    if (e == null) {
      return Optional.empty();
    }
    synchronized (e) {
      return Optional.ofNullable(e.certifiedEnvelope).map(byte[]::clone);
    }
  }

  public List<Multiaddr> addresses(PeerId peer) {
    Entry e = peers.get(peer);
    if (e == null) {
      return List.of();
    }
    synchronized (e) {
      return List.copyOf(e.addresses);
    }
  }

  public Set<String> protocols(PeerId peer) {
    Entry e = peers.get(peer);
    if (e == null) {
      return Set.of();
    }
    synchronized (e) {
      return Set.copyOf(e.protocols);
    }
  }

  public Optional<PublicKey> publicKey(PeerId peer) {
    Entry e = peers.get(peer);
    if (e == null) {
      return Optional.empty();
    }
    synchronized (e) {
      return Optional.ofNullable(e.publicKey);
    }
  }

  public Optional<String> agentVersion(PeerId peer) {
    Entry e = peers.get(peer);
    if (e == null) {
      return Optional.empty();
    }
    synchronized (e) {
      return Optional.ofNullable(e.agentVersion);
    }
  }

  public Set<PeerId> peers() {
    return Set.copyOf(peers.keySet());
  }
}
