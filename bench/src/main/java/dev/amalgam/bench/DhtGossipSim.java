package dev.amalgam.bench;

import dev.amalgam.multiformats.Multihash;
import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.kad.KadConfig;
import dev.amalgam.protocol.kad.KadDht;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.pubsub.Gossipsub;
import dev.amalgam.protocol.pubsub.GossipsubConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scale simulation: N real hosts (TCP on 127.0.0.1, Noise, yamux) in one JVM, each running the same
 * {@link KadDht} and {@link Gossipsub} code as a node. Measures provider-lookup success and hop
 * counts with 0%, 10% and 30% of nodes gone, and gossip delivery, propagation latency and message
 * rate. Usage: DhtGossipSim [NODES] [KEYS] [GOSSIP_MESSAGES].
 */
public final class DhtGossipSim {
  private static final String TOPIC = "sim";

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int keys = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int gossipMessages = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    // All n nodes verify every message on this machine's cores; publishing faster than they can
    // verify measures CPU queueing, not propagation.
    long publishIntervalMs = args.length > 3 ? Long.parseLong(args[3]) : 50;
    Random rnd = new Random(7);
    KadConfig kad =
        KadConfig.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(20));
    Duration heartbeat = Duration.ofMillis(250);
    GossipsubConfig gs = GossipsubConfig.defaults().withHeartbeat(heartbeat);
    gossip(n, gs, gossipMessages, publishIntervalMs, heartbeat, rnd);

    // DHT hosts close idle connections after 3 s, so n nodes stay within the open-file limit
    HostConfig dhtHost =
        HostConfig.defaults()
            .withTransport(1, true)
            .withLimits(512, 2, 256)
            .withTimeouts(
                Duration.ofSeconds(10),
                Duration.ofSeconds(10),
                Duration.ofSeconds(3),
                Duration.ofSeconds(30));
    List<Host> hosts = new ArrayList<>();
    List<KadDht> dhts = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      Host h = new Host(dhtHost.withIdentity(Ed25519PrivateKey.generate()));
      h.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
      hosts.add(h);
      dhts.add(new KadDht(h, kad).start());
    }
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    List<Future<?>> joins = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      int me = i;
      List<Multiaddr> seeds = new ArrayList<>();
      for (int s = 0; s < 3; s++) {
        int j = rnd.nextInt(Math.max(1, me));
        seeds.add(hosts.get(j).listenAddresses().get(0).withPeerId(hosts.get(j).peerId()));
      }
      joins.add(pool.submit(() -> dhts.get(me).bootstrap(seeds)));
      if (joins.size() % 20 == 0) {
        for (Future<?> f : joins) {
          f.get();
        }
        joins.clear();
      }
    }
    for (Future<?> f : joins) {
      f.get();
    }
    double meanTable = dhts.stream().mapToInt(d -> d.routingTable().size()).average().orElse(0);
    System.out.printf(
        "%d nodes joined in %.1f s; mean routing table %.1f peers, mean connections %.1f%n",
        n,
        (System.nanoTime() - t0) / 1e9,
        meanTable,
        hosts.stream().mapToInt(h -> h.connections().size()).average().orElse(0));

    List<byte[]> keyList = new ArrayList<>();
    List<Integer> providers = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      byte[] key = Multihash.sha256(("expert-" + k).getBytes(StandardCharsets.UTF_8)).bytes();
      int p = rnd.nextInt(n);
      dhts.get(p).provide(key);
      keyList.add(key);
      providers.add(p);
    }
    List<Integer> alive = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      alive.add(i);
    }
    System.out.println();
    System.out.println("churn | lookups | success | mean hops | max hops | mean peers queried");
    lookups("0%", dhts, alive, keyList, providers, rnd);
    for (double churn : new double[] {0.10, 0.30}) {
      List<Integer> candidates = new ArrayList<>(alive);
      candidates.removeAll(providers);
      Collections.shuffle(candidates, rnd);
      int target = (int) Math.round(n * churn);
      int gone = n - alive.size();
      for (int i = 0; i < target - gone; i++) {
        int victim = candidates.get(i);
        dhts.get(victim).close();
        hosts.get(victim).close();
        alive.remove(Integer.valueOf(victim));
      }
      lookups(Math.round(churn * 100) + "%", dhts, alive, keyList, providers, rnd);
    }
    pool.close();
    for (int i : alive) {
      dhts.get(i).close();
      hosts.get(i).close();
    }
  }

  private static void lookups(
      String label,
      List<KadDht> dhts,
      List<Integer> alive,
      List<byte[]> keys,
      List<Integer> providers,
      Random rnd)
      throws Exception {
    int ok = 0;
    long hops = 0;
    int maxHops = 0;
    long queried = 0;
    int total = 0;
    for (int k = 0; k < keys.size(); k++) {
      int asker = alive.get(rnd.nextInt(alive.size()));
      if (asker == providers.get(k)) {
        continue;
      }
      total++;
      KadDht.ProviderLookup r = dhts.get(asker).findProvidersWithHops(keys.get(k), 1);
      var expected = dhts.get(providers.get(k)).host().peerId();
      boolean found = r.providers().stream().anyMatch(p -> p.id().equals(expected));
      if (found) {
        ok++;
        hops += r.hops();
        maxHops = Math.max(maxHops, r.hops());
      }
      queried += r.queried();
    }
    System.out.printf(
        "%5s | %7d | %6.1f%% | %9.2f | %8d | %.1f%n",
        label,
        total,
        100.0 * ok / total,
        ok == 0 ? 0 : (double) hops / ok,
        maxHops,
        (double) queried / total);
  }

  /** n gossipsub hosts, each dialing a ring neighbour and 7 random peers. */
  private static void gossip(
      int n, GossipsubConfig gs, int messages, long intervalMs, Duration heartbeat, Random rnd)
      throws Exception {
    List<Host> hosts = new ArrayList<>();
    List<Gossipsub> routers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Host h = new Host(HostConfig.defaults().withTransport(1, true));
      h.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
      hosts.add(h);
      routers.add(new Gossipsub(h, gs).start());
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      Host h = hosts.get(i);
      for (int c = 0; c < 8; c++) {
        Host other = hosts.get(c == 0 ? (i + 1) % n : rnd.nextInt(n));
        if (other != h && h.connections(other.peerId()).isEmpty()) {
          h.dial(other.listenAddresses().get(0).withPeerId(other.peerId()));
        }
      }
    }
    System.out.printf(
        "gossip: %d hosts connected in %.1f s, mean connections %.1f%n",
        n,
        (System.nanoTime() - t0) / 1e9,
        hosts.stream().mapToInt(h -> h.connections().size()).average().orElse(0));
    ConcurrentHashMap<Long, Long> publishedAt = new ConcurrentHashMap<>();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicLong deliveries = new AtomicLong();
    for (Gossipsub r : routers) {
      r.subscribe(
          TOPIC,
          m -> {
            long id = ByteBuffer.wrap(m.data()).getLong();
            Long at = publishedAt.get(id);
            if (at != null) {
              latencies.add(System.nanoTime() - at);
            }
            deliveries.incrementAndGet();
          });
    }
    Thread.sleep(heartbeat.toMillis() * 8);
    long before =
        routers.stream()
            .mapToLong(r -> r.stats().delivered.get() + r.stats().duplicates.get())
            .sum();
    long start = System.nanoTime();
    for (long i = 0; i < messages; i++) {
      publishedAt.put(i, System.nanoTime());
      routers.get(rnd.nextInt(n)).publish(TOPIC, ByteBuffer.allocate(8).putLong(i).array());
      Thread.sleep(intervalMs);
    }
    long expected = (long) messages * (n - 1);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (deliveries.get() < expected && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long received =
        routers.stream()
                .mapToLong(r -> r.stats().delivered.get() + r.stats().duplicates.get())
                .sum()
            - before;
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    double p50 = sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2) / 1e6;
    double p99 = sorted.isEmpty() ? 0 : sorted.get((int) (sorted.size() * 0.99)) / 1e6;
    System.out.printf(
        "gossip: %d messages %d ms apart, delivered %d of %d (%.2f%%), latency p50 %.1f ms p99"
            + " %.1f ms"
            + " (heartbeat %d ms), %.1f messages received per node per second (duplicates"
            + " included), mean mesh %.1f%n",
        messages,
        intervalMs,
        deliveries.get(),
        expected,
        100.0 * deliveries.get() / expected,
        p50,
        p99,
        heartbeat.toMillis(),
        received / (double) n / seconds,
        routers.stream().mapToInt(r -> r.meshPeers(TOPIC).size()).average().orElse(0));
    routers.forEach(Gossipsub::close);
    hosts.forEach(Host::close);
  }
}
