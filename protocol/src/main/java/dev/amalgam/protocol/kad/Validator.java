package dev.amalgam.protocol.kad;

import java.util.List;

/** Checks and ranks the values of one record namespace (the first path segment of the key). */
public interface Validator {
  /** Throws {@link InvalidRecordException} naming what is wrong with the record. */
  void validate(byte[] key, byte[] value);

  /** Index of the best of several valid values for the same key. */
  int select(byte[] key, List<byte[]> values);
}
