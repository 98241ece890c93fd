package dev.amalgam.bootstrap;

import dev.amalgam.bootstrap.card.CardException;
import dev.amalgam.bootstrap.card.CardGossipCheck;
import dev.amalgam.bootstrap.round.RoundMessages;
import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.host.Connection;
import dev.amalgam.protocol.host.ConnectionListener;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.kad.KadConfig;
import dev.amalgam.protocol.kad.KadDht;
import dev.amalgam.protocol.kad.Validators;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.pubsub.Gossipsub;
import dev.amalgam.protocol.pubsub.GossipsubConfig;
import dev.amalgam.protocol.pubsub.ValidationResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A federation's bootstrap peer: a DHT server and a gossip relay subscribed to the federation's
 * topics, hosting no model. It drops cards that fail the checks anyone can make (signature, signer
 * is the author) so forgeries die at the first hop.
 */
public final class BootstrapPeer implements AutoCloseable {
  private final FederationDescriptor federation;
  private final Host host;
  private final KadDht dht;
  private final Gossipsub gossip;

  private BootstrapPeer(FederationDescriptor federation, Host host, KadDht dht, Gossipsub gossip) {
    this.federation = federation;
    this.host = host;
    this.dht = dht;
    this.gossip = gossip;
  }

  /**
   * Listens on {@code listen}, serves the DHT and relays the federation's topics; then joins the
   * other bootstrap peers of the descriptor, if any answer.
   */
  public static BootstrapPeer start(
      PrivateKey identity, FederationDescriptor federation, List<Multiaddr> listen, EventLog log)
      throws IOException, InterruptedException {
    Host host = new Host(HostConfig.defaults().withIdentity(identity).withTransport(1, true));
    try {
      for (Multiaddr a : listen) {
        host.listen(a);
      }
    } catch (IOException | RuntimeException e) {
      host.close();
      throw e;
    }
    host.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void connected(Connection c) {
            log.event("peer connected", c.remotePeer() + " " + c.remoteAddress());
          }

          @Override
          public void disconnected(Connection c) {
            log.event("peer disconnected", c.remotePeer().toString());
          }
        });
    KadDht dht =
        new KadDht(host, KadConfig.defaults().withValidators(Validators.amalgam())).start();
    Gossipsub gossip = new Gossipsub(host, GossipsubConfig.defaults()).start();
    gossip.addValidator(
        federation.expertsTopic(),
        m -> {
          try {
            CardGossipCheck.checkAny(m, System.currentTimeMillis());
            return ValidationResult.ACCEPT;
          } catch (CardException e) {
            log.event("card rejected", "from " + m.receivedFrom() + ": " + e.getMessage());
            return e.stale() ? ValidationResult.IGNORE : ValidationResult.REJECT;
          }
        });
    gossip.addValidator(federation.mergesTopic(), m -> RoundMessages.validate(m, log));
    for (String topic : federation.topics()) {
      gossip.subscribe(topic, m -> {});
    }
    BootstrapPeer peer = new BootstrapPeer(federation, host, dht, gossip);
    List<Multiaddr> others = new ArrayList<>();
    for (Multiaddr b : federation.bootstrap()) {
      if (b.peerId().isPresent() && !b.peerId().get().equals(host.peerId())) {
        others.add(b);
      }
    }
    if (!others.isEmpty()) {
      int reached = dht.bootstrap(others);
      log.event("joined", reached + " of " + others.size() + " other bootstrap peers reachable");
    }
    return peer;
  }

  public FederationDescriptor federation() {
    return federation;
  }

  public Host host() {
    return host;
  }

  public KadDht dht() {
    return dht;
  }

  public Gossipsub gossip() {
    return gossip;
  }

  /** The listen addresses with {@code /p2p/<id>}, ready to give to nodes. */
  public List<Multiaddr> addresses() {
    return host.listenAddresses().stream().map(a -> a.withPeerId(host.peerId())).toList();
  }

  @Override
  public void close() {
    gossip.close();
    dht.close();
    host.close();
  }
}
