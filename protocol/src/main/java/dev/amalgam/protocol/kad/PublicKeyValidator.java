package dev.amalgam.protocol.kad;

import dev.amalgam.multiformats.Multihash;
import dev.amalgam.protocol.crypto.PublicKey;
import dev.amalgam.protocol.peer.PeerId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** The {@code /pk/<peer-id bytes>} namespace: the value is the PublicKey whose id is the key. */
public final class PublicKeyValidator implements Validator {
  private static final byte[] PREFIX = "/pk/".getBytes(StandardCharsets.UTF_8);

  public static byte[] keyFor(PeerId peer) {
    byte[] id = peer.bytes();
    byte[] key = Arrays.copyOf(PREFIX, PREFIX.length + id.length);
    System.arraycopy(id, 0, key, PREFIX.length, id.length);
    return key;
  }

  @Override
  public void validate(byte[] key, byte[] value) {
    if (key.length <= PREFIX.length || !Arrays.equals(Arrays.copyOf(key, PREFIX.length), PREFIX)) {
      throw new InvalidRecordException("pk record: key does not start with /pk/");
    }
    byte[] hash = Arrays.copyOfRange(key, PREFIX.length, key.length);
    PublicKey pk;
    try {
      Multihash.decode(hash);
      pk = PublicKey.unmarshal(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidRecordException("pk record: " + e.getMessage());
    }
    if (!Arrays.equals(PeerId.fromPublicKey(pk).bytes(), hash)) {
      throw new InvalidRecordException("pk record: public key does not hash to the key");
    }
  }

  @Override
  public int select(byte[] key, List<byte[]> values) {
    return 0;
  }
}
