package dev.amalgam.merge.eval;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Train/dev/test membership. A problem's split is a function of its family and instruction text
 * alone (80/10/10 by SHA-256), so splits are disjoint whatever the seeds that generated them.
 */
public enum Split {
  TRAIN,
  DEV,
  TEST;

  public static Split of(String family, String instruction) {
    byte[] digest;
    try {
      digest =
          MessageDigest.getInstance("SHA-256")
              .digest((family + "\n" + instruction).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
    int bucket = Math.floorMod(((digest[0] & 0xff) << 8) | (digest[1] & 0xff), 10);
    return bucket < 8 ? TRAIN : bucket == 8 ? DEV : TEST;
  }

  public static Split parse(String name) {
    for (Split split : values()) {
      if (split.label().equals(name)) {
        return split;
      }
    }
    throw new IllegalArgumentException("unknown split '" + name + "' (train, dev, test)");
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
