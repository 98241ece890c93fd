package dev.amalgam.protocol.kad;

import dev.amalgam.multiformats.Multihash;
import java.util.Arrays;

/**
 * A point in the Kademlia keyspace: sha256 of the raw key bytes (peer id, multihash, record key).
 */
public record KadId(byte[] hash) implements Comparable<KadId> {
  public static final int BITS = 256;

  public static KadId of(byte[] key) {
    return new KadId(Multihash.newSha256().digest(key));
  }

  /** XOR distance to another id. */
  public byte[] distance(KadId other) {
    byte[] d = new byte[32];
    for (int i = 0; i < 32; i++) {
      d[i] = (byte) (hash[i] ^ other.hash[i]);
    }
    return d;
  }

  /** Number of leading bits both ids share (256 when equal). */
  public int commonPrefixLength(KadId other) {
    for (int i = 0; i < 32; i++) {
      int x = (hash[i] ^ other.hash[i]) & 0xFF;
      if (x != 0) {
        return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
      }
    }
    return BITS;
  }

  /** Compares the distances of {@code a} and {@code b} to this id. */
  public int compareDistance(KadId a, KadId b) {
    for (int i = 0; i < 32; i++) {
      int da = (hash[i] ^ a.hash[i]) & 0xFF;
      int db = (hash[i] ^ b.hash[i]) & 0xFF;
      if (da != db) {
        return Integer.compare(da, db);
      }
    }
    return 0;
  }

  @Override
  public int compareTo(KadId o) {
    return Arrays.compareUnsigned(hash, o.hash);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KadId k && Arrays.equals(hash, k.hash);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hash);
  }
}
