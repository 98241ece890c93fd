package dev.amalgam.protocol.pubsub;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of what the router dropped and why. */
public final class PubsubStats {
  public final AtomicLong delivered = new AtomicLong();
  public final AtomicLong duplicates = new AtomicLong();
  public final AtomicLong invalidSignatures = new AtomicLong();
  public final AtomicLong rejected = new AtomicLong();
  public final AtomicLong ignored = new AtomicLong();
  public final AtomicLong unknownTopic = new AtomicLong();
  public final AtomicLong oversize = new AtomicLong();
  public final AtomicLong rateLimited = new AtomicLong();
  public final AtomicLong graylisted = new AtomicLong();
  public final AtomicLong outboundDropped = new AtomicLong();
  public final AtomicLong malformedRpcs = new AtomicLong();
}
