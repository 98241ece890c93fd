package dev.amalgam.bootstrap.round;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.proto.ProtoReader;
import dev.amalgam.protocol.proto.ProtoWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a merge round is evaluated on: {@code n} generated examples of each task family from the
 * given split, with the given seed, answered greedily in at most {@code maxTokens} tokens. Its id
 * is the CID (raw, sha2-256) of its canonical JSON, e.g. {@code
 * {"max_tokens":64,"n":8,"seed":1,"split":"dev","tasks":["arithmetic","relational"]}}, keys sorted,
 * no spaces; a federation descriptor lists the ids of the dev sets its rounds may use.
 */
public record DevSet(String split, List<String> tasks, int n, long seed, int maxTokens) {
  public static final int MAX_N = 10_000;
  public static final int MAX_TOKENS = 1024;
  private static final String TASK_PATTERN = "[a-z0-9_-]{1,32}";

  public DevSet {
    tasks = List.copyOf(tasks);
  }

  /** Checks the fields; the message names the field. */
  public DevSet validated() throws RoundException {
    if (split == null || !split.matches("train|dev|test")) {
      throw new RoundException("dev set split '" + split + "' is not train, dev or test");
    }
    if (tasks.isEmpty() || tasks.size() > 16) {
      throw new RoundException("dev set needs 1-16 task families, got " + tasks.size());
    }
    for (String t : tasks) {
      if (!t.matches(TASK_PATTERN)) {
        throw new RoundException("dev set task '" + t + "' is not 1-32 of [a-z0-9_-]");
      }
    }
    if (tasks.stream().distinct().count() != tasks.size()) {
      throw new RoundException("dev set names a task family twice: " + tasks);
    }
    if (n < 1 || n > MAX_N) {
      throw new RoundException("dev set n " + n + " is not within 1-" + MAX_N);
    }
    if (seed < 0) {
      throw new RoundException("dev set seed " + seed + " is negative");
    }
    if (maxTokens < 1 || maxTokens > MAX_TOKENS) {
      throw new RoundException(
          "dev set max_tokens " + maxTokens + " is not within 1-" + MAX_TOKENS);
    }
    return this;
  }

  /** The canonical JSON the id is computed from. */
  public String canonicalJson() {
    StringBuilder b = new StringBuilder();
    b.append("{\"max_tokens\":").append(maxTokens);
    b.append(",\"n\":").append(n);
    b.append(",\"seed\":").append(seed);
    b.append(",\"split\":\"").append(split).append('"');
    b.append(",\"tasks\":[");
    for (int i = 0; i < tasks.size(); i++) {
      b.append(i == 0 ? "" : ",").append('"').append(tasks.get(i)).append('"');
    }
    return b.append("]}").toString();
  }

  public Cid id() {
    return Cid.rawSha256(canonicalJson().getBytes(StandardCharsets.UTF_8));
  }

  byte[] encode() {
    ProtoWriter w = new ProtoWriter().string(1, split);
    tasks.forEach(t -> w.string(2, t));
    return w.varint(3, n).varint(4, seed).varint(5, maxTokens).toByteArray();
  }

  static DevSet decode(byte[] bytes) throws RoundException {
    ProtoReader r = new ProtoReader("DevSet", bytes);
    String split = null;
    List<String> tasks = new ArrayList<>();
    long n = 0;
    long seed = 0;
    long maxTokens = 0;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> split = r.string();
        case 2 -> tasks.add(r.string());
        case 3 -> n = r.varint();
        case 4 -> seed = r.varint();
        case 5 -> maxTokens = r.varint();
        default -> r.skip();
      }
    }
    if (n > MAX_N || maxTokens > MAX_TOKENS) {
      throw new RoundException("dev set n or max_tokens out of range");
    }
    return new DevSet(split, tasks, (int) n, seed, (int) maxTokens).validated();
  }
}
