package dev.amalgam.node.exchange;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.bitswap.Bitswap;
import dev.amalgam.protocol.bitswap.PeerMisbehavedException;
import dev.amalgam.protocol.bitswap.fetch.FetchException;
import dev.amalgam.protocol.kad.KadDht;
import dev.amalgam.protocol.kad.KadPeer;
import dev.amalgam.protocol.peer.PeerId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The first steps every fetch by id shares: check the output directory, find the id's providers in
 * the DHT, and get the root block (an expert's manifest, a summary's summary.json) from the first
 * provider that serves one that bitswap verifies against the id and the caller can parse.
 */
final class ProviderLookup {
  private static final int MAX_PROVIDERS = 20;
  private static final Duration ROOT_TIMEOUT = Duration.ofSeconds(20);

  /** Checks a root block's bytes; throws with the reason when they are unusable. */
  interface RootCheck {
    void check(byte[] bytes) throws IOException;
  }

  private ProviderLookup() {}

  /** The absolute output directory; it must not exist, and its parent must be writable. */
  static Path checkTarget(Path given) throws IOException {
    Path target = given.toAbsolutePath().normalize();
    if (Files.exists(target)) {
      throw new IOException("-o " + given + ": already exists (choose a new directory)");
    }
    Path parent = target.getParent();
    if (parent == null) {
      throw new IOException("-o " + given + ": cannot be the root directory");
    }
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new IOException("-o " + given + ": cannot create " + parent + " (" + e + ")");
    }
    if (!Files.isWritable(parent)) {
      throw new IOException("-o " + given + ": " + parent + " is not writable");
    }
    return target;
  }

  /** Providers of {@code id} other than this node; {@code what} ("expert") names it in errors. */
  static List<PeerId> findProviders(KadDht dht, Cid id, String what)
      throws IOException, InterruptedException {
    List<PeerId> out = new ArrayList<>();
    for (KadPeer p : dht.findProviders(id.multihash().bytes(), MAX_PROVIDERS)) {
      if (p.id().equals(dht.host().peerId())) {
        continue;
      }
      if (!p.addrs().isEmpty()) {
        dht.host().peerstore().addAddresses(p.id(), p.addrs());
      }
      out.add(p.id());
    }
    if (out.isEmpty()) {
      throw new FetchException(
          "no providers found for "
              + what
              + " "
              + id
              + " (unknown id, or no peer that hosts it is reachable)");
    }
    return out;
  }

  /**
   * The root block from the first provider whose copy passes {@code check}; a provider whose block
   * fails bitswap's verification against the id is recorded in {@code penalties}.
   */
  static byte[] fetchRoot(
      Bitswap bitswap,
      Cid id,
      List<PeerId> providers,
      String what,
      RootCheck check,
      ProviderPenalties penalties)
      throws IOException, InterruptedException {
    List<String> failures = new ArrayList<>();
    for (PeerId p : providers) {
      try {
        ByteBuffer b =
            bitswap
                .wantBlock(p, id, Integer.MAX_VALUE)
                .get(ROOT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        check.check(bytes);
        return bytes;
      } catch (ExecutionException e) {
        if (e.getCause() instanceof PeerMisbehavedException bad) {
          penalties.penalize(p, bad.getMessage());
        }
        failures.add(p + ": " + (e.getCause() == null ? e : e.getCause().getMessage()));
      } catch (TimeoutException e) {
        bitswap.cancel(p, id);
        failures.add(p + ": no answer in " + ROOT_TIMEOUT.toSeconds() + " s");
      } catch (IOException | IllegalArgumentException e) {
        failures.add(p + ": bad root block: " + e.getMessage());
      }
    }
    throw new FetchException(
        "all "
            + providers.size()
            + " providers of "
            + what
            + " "
            + id
            + " failed to serve its "
            + (what.equals("expert") ? "manifest" : "root block")
            + ": "
            + String.join("; ", failures));
  }
}
