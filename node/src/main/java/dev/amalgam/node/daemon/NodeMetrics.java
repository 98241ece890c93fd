package dev.amalgam.node.daemon;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** The daemon's counters and gauges, rendered in the Prometheus text format (version 0.0.4). */
public final class NodeMetrics {
  final TrafficCounter traffic = new TrafficCounter();
  final AtomicLong dhtLookups = new AtomicLong();
  final AtomicLong announcements = new AtomicLong();
  final AtomicLong cardsAccepted = new AtomicLong();
  final AtomicLong cardsRejected = new AtomicLong();
  final AtomicLong joins = new AtomicLong();

  /** Renders every metric; {@code peers}, {@code hosted} and {@code known} are read now. */
  String render(
      LongSupplier peers, LongSupplier hosted, LongSupplier known, LongSupplier gossipDelivered) {
    StringBuilder b = new StringBuilder();
    gauge(b, "amalgam_peers", "Peers with an open connection.", peers.getAsLong());
    counter(
        b, "amalgam_bytes_in_total", "Bytes received on peer connections.", traffic.bytesIn.get());
    counter(
        b, "amalgam_bytes_out_total", "Bytes sent on peer connections.", traffic.bytesOut.get());
    counter(b, "amalgam_dht_lookups_total", "DHT lookups started by this node.", dhtLookups.get());
    counter(
        b,
        "amalgam_announcements_total",
        "Expert cards announced (gossip and DHT provider records).",
        announcements.get());
    counter(b, "amalgam_cards_accepted_total", "Cards from peers accepted.", cardsAccepted.get());
    counter(b, "amalgam_cards_rejected_total", "Cards from peers rejected.", cardsRejected.get());
    counter(
        b,
        "amalgam_gossip_delivered_total",
        "Gossip messages delivered to this node's subscriptions.",
        gossipDelivered.getAsLong());
    counter(b, "amalgam_joins_total", "Attempts to join the federation.", joins.get());
    gauge(b, "amalgam_hosted_experts", "Experts this node hosts.", hosted.getAsLong());
    gauge(b, "amalgam_known_cards", "Cards from other peers held.", known.getAsLong());
    return b.toString();
  }

  private static void gauge(StringBuilder b, String name, String help, long v) {
    metric(b, name, help, "gauge", v);
  }

  private static void counter(StringBuilder b, String name, String help, long v) {
    metric(b, name, help, "counter", v);
  }

  private static void metric(StringBuilder b, String name, String help, String type, long v) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    b.append(name).append(' ').append(v).append('\n');
  }
}
