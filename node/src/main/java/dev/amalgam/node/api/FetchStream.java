package dev.amalgam.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.amalgam.node.exchange.ExpertFetch;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fetch's events as newline-delimited JSON, the body of {@code POST /v1/fetch}: {@code attached}
 * (only when the request joined a fetch already running), {@code started}, {@code progress}, {@code
 * dropped}, then one {@code done} (with the result) or {@code error}. The daemon writes them as
 * they happen; the CLI replays them into its own listener.
 */
public final class FetchStream implements ExpertFetch.Listener {
  private final OutputStream out;

  FetchStream(OutputStream out) {
    this.out = out;
  }

  @Override
  public void started(
      int providers, long chunks, long bytes, long resumedChunks, long resumedBytes) {
    Map<String, Object> m = event("started");
    m.put("providers", providers);
    m.put("chunks", chunks);
    m.put("bytes", bytes);
    m.put("resumed_chunks", resumedChunks);
    m.put("resumed_bytes", resumedBytes);
    write(m);
  }

  @Override
  public void progress(long chunksDone, long bytesDone, int activePeers) {
    Map<String, Object> m = event("progress");
    m.put("chunks_done", chunksDone);
    m.put("bytes_done", bytesDone);
    m.put("peers", activePeers);
    write(m);
  }

  @Override
  public void dropped(String peer, String reason, boolean penalized) {
    Map<String, Object> m = event("dropped");
    m.put("peer", peer);
    m.put("reason", reason);
    m.put("penalized", penalized);
    write(m);
  }

  @Override
  public void attached() {
    write(event("attached"));
  }

  void done(ExpertFetch.Result r) {
    Map<String, Object> m = event("done");
    m.put("id", r.id());
    m.put("directory", r.directory().toString());
    m.put("partial", r.partial());
    m.put("chunks_fetched", r.chunksFetched());
    m.put("bytes_fetched", r.bytesFetched());
    m.put("chunks_resumed", r.chunksResumed());
    m.put("bytes_by_peer", r.bytesByPeer());
    m.put("dropped", r.dropped());
    m.put("skipped", r.skipped());
    write(m);
  }

  void error(String message) {
    Map<String, Object> m = event("error");
    m.put("error", message);
    write(m);
  }

  private static Map<String, Object> event(String name) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", name);
    return m;
  }

  /** A failed write means the client went away: the fetch stops (and can be resumed). */
  private void write(Map<String, Object> m) {
    try {
      byte[] line = ControlApi.JSON.writeValueAsBytes(m);
      synchronized (out) {
        out.write(line);
        out.write('\n');
        out.flush();
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("the fetch's client went away", e);
    }
  }

  /**
   * Replays one event line into {@code listener}; returns the result on {@code done}, throws on
   * {@code error}, null otherwise.
   */
  static ExpertFetch.Result replay(String line, ExpertFetch.Listener listener) throws IOException {
    JsonNode n = ControlApi.JSON.readTree(line);
    switch (n.path("event").asText()) {
      case "started" ->
          listener.started(
              n.get("providers").asInt(),
              n.get("chunks").asLong(),
              n.get("bytes").asLong(),
              n.get("resumed_chunks").asLong(),
              n.get("resumed_bytes").asLong());
      case "progress" ->
          listener.progress(
              n.get("chunks_done").asLong(), n.get("bytes_done").asLong(), n.get("peers").asInt());
      case "dropped" ->
          listener.dropped(
              n.get("peer").asText(), n.get("reason").asText(), n.get("penalized").asBoolean());
      case "attached" -> listener.attached();
      case "error" -> throw new IOException(n.get("error").asText());
      case "done" -> {
        Map<String, Long> byPeer = new LinkedHashMap<>();
        n.get("bytes_by_peer")
            .properties()
            .forEach(e -> byPeer.put(e.getKey(), e.getValue().asLong()));
        Map<String, String> dropped = new LinkedHashMap<>();
        n.get("dropped").properties().forEach(e -> dropped.put(e.getKey(), e.getValue().asText()));
        List<String> skipped = new ArrayList<>();
        n.path("skipped").forEach(e -> skipped.add(e.asText()));
        return new ExpertFetch.Result(
            n.get("id").asText(),
            Path.of(n.get("directory").asText()),
            n.get("partial").asBoolean(),
            n.get("chunks_fetched").asLong(),
            n.get("bytes_fetched").asLong(),
            n.get("chunks_resumed").asLong(),
            byPeer,
            dropped,
            skipped);
      }
      default -> {
        // an event this version does not know: skip it
      }
    }
    return null;
  }
}
