package dev.amalgam.protocol.kad;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Validators by namespace; keys look like {@code /<namespace>/<rest>}. Unknown namespaces fail. */
public final class Validators {
  private final Map<String, Validator> byNamespace = new TreeMap<>();

  /** The js default set: {@code pk} only. */
  public static Validators defaults() {
    return new Validators().with("pk", new PublicKeyValidator());
  }

  /** Amalgam's set: {@code pk} plus the {@code amalgam} namespace of opaque values ≤ 16 KiB. */
  public static Validators amalgam() {
    return defaults().with("amalgam", new OpaqueValidator(16 << 10));
  }

  public Validators with(String namespace, Validator v) {
    byNamespace.put(namespace, v);
    return this;
  }

  public static String namespaceOf(byte[] key) {
    if (key.length < 2 || key[0] != '/') {
      throw new InvalidRecordException("record key does not start with /<namespace>/");
    }
    int end = 1;
    while (end < key.length && key[end] != '/') {
      end++;
    }
    if (end == key.length || end == 1) {
      throw new InvalidRecordException("record key does not start with /<namespace>/");
    }
    return new String(key, 1, end - 1, StandardCharsets.UTF_8);
  }

  private Validator forKey(byte[] key) {
    String ns = namespaceOf(key);
    Validator v = byNamespace.get(ns);
    if (v == null) {
      throw new InvalidRecordException("no validator for record namespace '" + ns + "'");
    }
    return v;
  }

  public void validate(byte[] key, byte[] value) {
    forKey(key).validate(key, value);
  }

  public int select(byte[] key, List<byte[]> values) {
    int i = forKey(key).select(key, values);
    if (i < 0 || i >= values.size()) {
      throw new IllegalStateException("selector returned index " + i + " of " + values.size());
    }
    return i;
  }
}
