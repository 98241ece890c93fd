package dev.amalgam.protocol.kad;

import java.util.Arrays;
import java.util.List;

/**
 * Accepts any value up to a size limit; of several values the byte-wise greatest wins, so every
 * node picks the same one. The js interop peer registers the same rule for the namespace.
 */
public final class OpaqueValidator implements Validator {
  private final int maxValueLength;

  public OpaqueValidator(int maxValueLength) {
    this.maxValueLength = maxValueLength;
  }

  @Override
  public void validate(byte[] key, byte[] value) {
    if (value.length == 0) {
      throw new InvalidRecordException("record value is empty");
    }
    if (value.length > maxValueLength) {
      throw new InvalidRecordException(
          "record value of " + value.length + " bytes exceeds " + maxValueLength);
    }
  }

  @Override
  public int select(byte[] key, List<byte[]> values) {
    int best = 0;
    for (int i = 1; i < values.size(); i++) {
      if (Arrays.compareUnsigned(values.get(i), values.get(best)) > 0) {
        best = i;
      }
    }
    return best;
  }
}
