package dev.amalgam.node.api;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.amalgam.node.home.NodeHome;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The CLI's side of the control API: finds the daemon of a home and calls it with the token. */
public final class ApiClient {
  private final String base;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private ApiClient(String address, String token) {
    this.base = "http://" + address;
    this.token = token;
  }

  /**
   * The daemon running on this home, if any: the home's {@code api} file names its address and it
   * answers there. A stale file (daemon gone) gives empty.
   */
  public static Optional<ApiClient> find(Path homeDir) throws IOException {
    Path file = homeDir.resolve(ControlApi.API_FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    String address = Files.readString(file, StandardCharsets.US_ASCII).strip();
    NodeHome home = NodeHome.open(homeDir);
    ApiClient c = new ApiClient(address, home.apiToken());
    try {
      c.send(HttpRequest.newBuilder(c.uri("/v1/status")).GET(), 200);
      return Optional.of(c);
    } catch (ConnectException e) {
      return Optional.empty();
    }
  }

  public String address() {
    return base;
  }

  public StatusView status() throws IOException {
    return get("/v1/status", new TypeReference<>() {});
  }

  public List<PeerView> peers() throws IOException {
    return get("/v1/peers", new TypeReference<>() {});
  }

  public List<ExpertView> experts(String family) throws IOException {
    String q = family == null ? "" : "?family=" + URLEncoder.encode(family, StandardCharsets.UTF_8);
    return get("/v1/experts" + q, new TypeReference<>() {});
  }

  public List<HostedView> hosted() throws IOException {
    return get("/v1/hosted", new TypeReference<>() {});
  }

  public HostedView addExpert(AddExpertRequest r) throws IOException {
    byte[] body = ControlApi.JSON.writeValueAsBytes(r);
    String resp =
        send(
            HttpRequest.newBuilder(uri("/v1/hosted"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)),
            200);
    return ControlApi.JSON.readValue(resp, HostedView.class);
  }

  /** False when the daemon hosts no such expert. */
  public boolean removeExpert(String id) throws IOException {
    return delete("/v1/hosted/", id);
  }

  /** DELETE of {@code prefix + id}: false on 404. */
  private boolean delete(String prefix, String id) throws IOException {
    HttpResponse<String> r =
        call(
            HttpRequest.newBuilder(uri(prefix + URLEncoder.encode(id, StandardCharsets.UTF_8)))
                .DELETE());
    if (r.statusCode() == 404) {
      return false;
    }
    check(r, 204);
    return true;
  }

  /** Runs a fetch on the daemon, replaying its events into {@code listener} as they come. */
  public dev.amalgam.node.exchange.ExpertFetch.Result fetch(
      FetchRequest r, dev.amalgam.node.exchange.ExpertFetch.Listener listener) throws IOException {
    byte[] body = ControlApi.JSON.writeValueAsBytes(r);
    HttpResponse<java.util.stream.Stream<String>> resp;
    try {
      resp =
          http.send(
              HttpRequest.newBuilder(uri("/v1/fetch"))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.ofLines());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling the node daemon at " + base, e);
    }
    try (java.util.stream.Stream<String> lines = resp.body()) {
      if (resp.statusCode() != 200) {
        String text = String.join("\n", lines.toList());
        Map<?, ?> m = ControlApi.JSON.readValue(text, Map.class);
        throw new IOException("node daemon at " + base + ": " + m.get("error"));
      }
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.isBlank()) {
          continue;
        }
        var result = FetchStream.replay(line, listener);
        if (result != null) {
          return result;
        }
      }
    } catch (java.io.UncheckedIOException e) {
      throw new IOException("node daemon at " + base + ": connection lost during the fetch", e);
    }
    throw new IOException("node daemon at " + base + ": the fetch ended without a result");
  }

  public List<SummaryView> summaries(String dataset, String model) throws IOException {
    StringBuilder q = new StringBuilder();
    if (dataset != null) {
      q.append("?dataset=").append(URLEncoder.encode(dataset, StandardCharsets.UTF_8));
    }
    if (model != null) {
      q.append(q.isEmpty() ? "?" : "&")
          .append("model=")
          .append(URLEncoder.encode(model, StandardCharsets.UTF_8));
    }
    return get("/v1/summaries" + q, new TypeReference<>() {});
  }

  public List<SummaryView> hostedSummaries() throws IOException {
    return get("/v1/summaries/hosted", new TypeReference<>() {});
  }

  public SummaryView addSummary(AddSummaryRequest r) throws IOException {
    return post("/v1/summaries/hosted", r, SummaryView.class);
  }

  /** False when the daemon hosts no such summary. */
  public boolean removeSummary(String id) throws IOException {
    return delete("/v1/summaries/hosted/", id);
  }

  public SummaryFetchView fetchSummary(String id, Path out) throws IOException {
    return post(
        "/v1/summaries/fetch",
        new FetchRequest(id, out.toString(), null, null),
        SummaryFetchView.class);
  }

  public List<RoundView> rounds() throws IOException {
    return get("/v1/rounds", new TypeReference<>() {});
  }

  public RoundView.Proposed propose(ProposeRequest r) throws IOException {
    return post("/v1/rounds", r, RoundView.Proposed.class);
  }

  private <T> T post(String path, Object body, Class<T> type) throws IOException {
    String resp =
        send(
            HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofByteArray(
                        ControlApi.JSON.writeValueAsBytes(body))),
            200);
    return ControlApi.JSON.readValue(resp, type);
  }

  public String metrics() throws IOException {
    return send(HttpRequest.newBuilder(uri("/metrics")).GET(), 200);
  }

  private <T> T get(String path, TypeReference<T> type) throws IOException {
    return ControlApi.JSON.readValue(send(HttpRequest.newBuilder(uri(path)).GET(), 200), type);
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private String send(HttpRequest.Builder b, int expected) throws IOException {
    HttpResponse<String> r = call(b);
    check(r, expected);
    return r.body();
  }

  private HttpResponse<String> call(HttpRequest.Builder b) throws IOException {
    try {
      return http.send(
          b.header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling the node daemon at " + base, e);
    }
  }

  private void check(HttpResponse<String> r, int expected) throws IOException {
    if (r.statusCode() != expected) {
      String msg = r.body();
      try {
        Map<?, ?> m = ControlApi.JSON.readValue(r.body(), Map.class);
        if (m.get("error") != null) {
          msg = m.get("error").toString();
        }
      } catch (IOException ignored) {
        // not JSON: show the body as is
      }
      throw new IOException("node daemon at " + base + ": " + msg);
    }
  }
}
