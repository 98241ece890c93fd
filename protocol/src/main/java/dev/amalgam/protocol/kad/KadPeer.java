package dev.amalgam.protocol.kad;

import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.peer.PeerId;
import java.util.List;

/** A peer as carried in closerPeers / providerPeers: id plus the addresses it can be dialed at. */
public record KadPeer(PeerId id, List<Multiaddr> addrs) {
  public KadPeer {
    addrs = List.copyOf(addrs);
  }
}
