package dev.amalgam.node.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.amalgam.node.daemon.FetchJob;
import dev.amalgam.node.daemon.FetchJobs;
import dev.amalgam.node.daemon.NodeDaemon;
import dev.amalgam.node.exchange.ExpertFetch;
import dev.amalgam.node.expert.ExpertRegistry;
import dev.amalgam.node.home.AtomicFile;
import dev.amalgam.node.home.NodeHome;
import dev.amalgam.node.summary.SummaryRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The daemon's control API: HTTP on 127.0.0.1, every request authorized by {@code Authorization:
 * Bearer <token>} with the token from the home's {@code api.token}. The bound port is written to
 * the home's {@code api} file so the CLI can find a running daemon.
 *
 * <pre>
 * GET    /v1/status              StatusView
 * GET    /v1/peers               [PeerView]
 * GET    /v1/experts[?family=F]  [ExpertView]
 * GET    /v1/hosted              [HostedView]
 * POST   /v1/hosted              AddExpertRequest -> HostedView
 * DELETE /v1/hosted/{id}         204, or 404 when not hosted
 * POST   /v1/fetch               FetchRequest -> newline-delimited JSON events (FetchStream);
 *                                the fetch runs on as a daemon job when the client goes away
 * GET    /v1/rounds              [RoundView]
 * POST   /v1/rounds              ProposeRequest -> RoundView.Proposed
 * GET    /v1/summaries[?dataset=D&amp;model=M]  [SummaryView] (hosted, then others' notes)
 * GET    /v1/summaries/hosted    [SummaryView]
 * POST   /v1/summaries/hosted    AddSummaryRequest -> SummaryView
 * DELETE /v1/summaries/hosted/{id}  204, or 404 when not hosted
 * POST   /v1/summaries/fetch     FetchRequest (id, out) -> SummaryFetchView
 * GET    /metrics                Prometheus text
 * </pre>
 */
public final class ControlApi implements AutoCloseable {
  public static final String API_FILE = "api";
  static final JsonMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final NodeDaemon daemon;
  private final HttpServer server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final byte[] token;
  private final Path apiFile;

  private ControlApi(NodeDaemon daemon, HttpServer server, byte[] token, Path apiFile) {
    this.daemon = daemon;
    this.server = server;
    this.token = token;
    this.apiFile = apiFile;
  }

  /** Binds 127.0.0.1:{@code port} (0: any free port) and records it in the home. */
  public static ControlApi start(NodeDaemon daemon, NodeHome home, int port) throws IOException {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    } catch (IOException e) {
      throw new IOException(
          "control API cannot listen on 127.0.0.1:"
              + port
              + " ("
              + e.getMessage()
              + "); set api_port in "
              + home.dir().resolve(NodeHome.CONFIG)
              + " (0 picks a free port)",
          e);
    }
    byte[] token = home.apiToken().getBytes(StandardCharsets.US_ASCII);
    ControlApi api = new ControlApi(daemon, server, token, home.dir().resolve(API_FILE));
    server.setExecutor(api.threads);
    server.createContext("/", api::handle);
    server.start();
    AtomicFile.write(
        api.apiFile, (api.address() + "\n").getBytes(StandardCharsets.US_ASCII), false);
    return api;
  }

  /** {@code 127.0.0.1:PORT}. */
  public String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      if (!authorized(x)) {
        x.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"amalgam\"");
        sendJson(
            x,
            401,
            Map.of("error", "missing or wrong bearer token (see api.token in the node home)"));
        return;
      }
      String method = x.getRequestMethod();
      String path = x.getRequestURI().getPath();
      try {
        route(x, method, path);
      } catch (IOException | IllegalArgumentException e) {
        sendJson(x, 400, Map.of("error", e.getMessage() == null ? e.toString() : e.getMessage()));
      } catch (RuntimeException e) {
        sendJson(x, 500, Map.of("error", "internal error: " + e));
      }
    }
  }

  private void route(HttpExchange x, String method, String path) throws IOException {
    switch (method + " " + path) {
      case "GET /v1/status" -> sendJson(x, 200, daemon.status(address()));
      case "GET /v1/peers" -> sendJson(x, 200, daemon.peers());
      case "GET /v1/experts" -> sendJson(x, 200, daemon.experts(query(x, "family")));
      case "GET /v1/hosted" -> sendJson(x, 200, daemon.hosted());
      case "POST /v1/hosted" -> {
        AddExpertRequest r = JSON.readValue(x.getRequestBody(), AddExpertRequest.class);
        if (r.path() == null) {
          throw new IllegalArgumentException("request body needs \"path\"");
        }
        var e =
            daemon.addExpert(
                new ExpertRegistry.Request(
                    Path.of(r.path()), r.name(), r.base(), r.tags(), r.scores()));
        sendJson(x, 200, HostedView.of(e));
      }
      case "POST /v1/fetch" -> fetch(x);
      case "GET /v1/summaries" ->
          sendJson(x, 200, daemon.summaries(query(x, "dataset"), query(x, "model")));
      case "GET /v1/summaries/hosted" -> sendJson(x, 200, daemon.hostedSummaries());
      case "POST /v1/summaries/hosted" -> {
        AddSummaryRequest r = JSON.readValue(x.getRequestBody(), AddSummaryRequest.class);
        if (r.path() == null) {
          throw new IllegalArgumentException("request body needs \"path\"");
        }
        var h = daemon.addSummary(new SummaryRegistry.Request(Path.of(r.path()), r.name()));
        sendJson(x, 200, SummaryView.of(h, daemon.host().peerId().toString()));
      }
      case "POST /v1/summaries/fetch" -> {
        FetchRequest r = JSON.readValue(x.getRequestBody(), FetchRequest.class);
        if (r.id() == null || r.out() == null) {
          throw new IllegalArgumentException("request body needs \"id\" and \"out\"");
        }
        try {
          sendJson(x, 200, SummaryFetchView.of(daemon.fetchSummary(r.id(), Path.of(r.out()))));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("the node daemon is stopping");
        }
      }
      case "GET /v1/rounds" -> sendJson(x, 200, daemon.rounds());
      case "POST /v1/rounds" -> {
        ProposeRequest r = JSON.readValue(x.getRequestBody(), ProposeRequest.class);
        if (r.recipe() == null || r.tasks() == null || r.split() == null) {
          throw new IllegalArgumentException(
              "request body needs \"recipe\", \"split\" and \"tasks\"");
        }
        sendJson(
            x,
            200,
            daemon.propose(
                r.recipe(),
                new dev.amalgam.bootstrap.round.DevSet(
                    r.split(), r.tasks(), r.n(), r.seed(), r.maxTokens())));
      }
      case "GET /metrics" -> {
        byte[] body = daemon.metrics().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        send(x, 200, body);
      }
      default -> {
        if (method.equals("DELETE") && path.startsWith("/v1/summaries/hosted/")) {
          String id = path.substring("/v1/summaries/hosted/".length());
          if (daemon.removeSummary(id)) {
            x.sendResponseHeaders(204, -1);
          } else {
            sendJson(x, 404, Map.of("error", "this node hosts no summary " + id));
          }
          return;
        }
        if (method.equals("DELETE") && path.startsWith("/v1/hosted/")) {
          String id = path.substring("/v1/hosted/".length());
          if (daemon.removeExpert(id)) {
            x.sendResponseHeaders(204, -1);
          } else {
            sendJson(x, 404, Map.of("error", "this node hosts no expert " + id));
          }
          return;
        }
        sendJson(x, 404, Map.of("error", "no such endpoint: " + method + " " + path));
      }
    }
  }

  /** Streams the fetch's events; a failure after the headers went out is the last event. */
  private void fetch(HttpExchange x) throws IOException {
    FetchRequest r = JSON.readValue(x.getRequestBody(), FetchRequest.class);
    if (r.id() == null || r.out() == null) {
      throw new IllegalArgumentException("request body needs \"id\" and \"out\"");
    }
    FetchJobs.Joined joined =
        daemon.fetchJob(
            new ExpertFetch.Request(
                r.id(), Path.of(r.out()), r.tensors(), Boolean.TRUE.equals(r.sparse())));
    x.getResponseHeaders().add("Content-Type", "application/x-ndjson");
    x.sendResponseHeaders(200, 0);
    FetchJob job = joined.job();
    try (OutputStream body = x.getResponseBody()) {
      FetchStream events = new FetchStream(body);
      try {
        if (joined.attached()) {
          events.attached();
        }
        job.watch(events);
        events.done(job.result().get());
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        events.error(
            cause instanceof InterruptedException
                ? "the node daemon is stopping (run the fetch again to resume)"
                : cause.getMessage() == null ? cause.toString() : cause.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        events.error("the node daemon is stopping (run the fetch again to resume)");
      } finally {
        job.unwatch(events);
      }
    } catch (java.io.UncheckedIOException gone) {
      // the client went away; the fetch goes on in the daemon (see FetchJob)
    }
  }

  private boolean authorized(HttpExchange x) {
    String h = x.getRequestHeaders().getFirst("Authorization");
    if (h == null || !h.startsWith("Bearer ")) {
      return false;
    }
    byte[] given = h.substring(7).strip().getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(given, token);
  }

  private static String query(HttpExchange x, String name) {
    String q = x.getRequestURI().getRawQuery();
    if (q == null) {
      return null;
    }
    for (String kv : q.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0 && kv.substring(0, eq).equals(name)) {
        return URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static void sendJson(HttpExchange x, int status, Object body) throws IOException {
    x.getResponseHeaders().add("Content-Type", "application/json");
    send(x, status, JSON.writeValueAsBytes(body));
  }

  private static void send(HttpExchange x, int status, byte[] body) throws IOException {
    x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    try {
      Files.deleteIfExists(apiFile);
    } catch (IOException ignored) {
      // a stale api file is detected by the CLI (connection refused) and ignored
    }
    server.stop(0);
    threads.shutdownNow();
  }
}
