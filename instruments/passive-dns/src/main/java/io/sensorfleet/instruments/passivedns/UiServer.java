package io.sensorfleet.instruments.passivedns;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sensorfleet.instruments.support.Json;
import io.sensorfleet.sdk.UiIdentityVerifier;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The UI and JSON API on 127.0.0.1 (the platform reverse-proxies it), with the JDK's own HTTP server:
 * {@code GET /} the search page, {@code GET /api/search?q=example.org}, {@code GET /api/stats}, {@code GET
 * /api/whoami} (the caller Fleet Management signed for). Read-only: any
 * other method is 405, any other path 404.
 */
final class UiServer implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("io.sensorfleet.instruments.passivedns");
  private static final int MAX_QUERY = 255;

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final StoreAccess store;
  private final Optional<UiIdentityVerifier> identity;
  private volatile int maxResults;

  /** How the UI reaches the database, which may be (re)opening. */
  interface StoreAccess {
    PassiveDnsStore get() throws SQLException;
  }

  private UiServer(HttpServer server, StoreAccess store, int maxResults, Optional<UiIdentityVerifier> identity) {
    this.server = server;
    this.identity = identity;
    this.store = store;
    this.maxResults = maxResults;
  }

  /**
   * Listens on 127.0.0.1:{@code port} (0: any free port). With an {@code identity} verifier, only requests Fleet
   * Management signed are served (others: 401), and {@code GET /api/whoami} names the caller.
   */
  static UiServer start(int port, StoreAccess store, int maxResults, Optional<UiIdentityVerifier> identity)
      throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    UiServer ui = new UiServer(http, store, maxResults, identity);
    http.createContext("/", ui::handle);
    http.setExecutor(ui.executor);
    http.start();
    return ui;
  }

  /** Changes how many rows a search returns, from the next request on. */
  void maxResults(int max) {
    maxResults = max;
  }

  /** The port it listens on. */
  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    // Not try-with-resources: the catch blocks still answer on the exchange, which closing would end.
    try {
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, 405, "application/json", error("only GET and HEAD"));
        return;
      }
      String path = exchange.getRequestURI().getRawPath();
      Optional<UiIdentityVerifier.Verified> caller = Optional.empty();
      if (identity.isPresent()) {
        String query = exchange.getRequestURI().getRawQuery();
        var result = identity.get().verify(method, query == null ? path : path + "?" + query,
            name -> Optional.ofNullable(exchange.getRequestHeaders().getFirst(name)));
        switch (result) {
          case UiIdentityVerifier.Refused refused -> {
            send(exchange, 401, "application/json", error("not signed by Fleet Management: " + refused.reason()));
            return;
          }
          case UiIdentityVerifier.Verified verified -> caller = Optional.of(verified);
        }
      }
      Optional<String> q = parameter(exchange, "q");
      switch (path) {
        case "/" -> page(exchange, q.orElse(""));
        case "/api/search" -> search(exchange, q);
        case "/api/stats" -> send(exchange, 200, "application/json", json(stats(store.get().stats())));
        case "/api/whoami" -> whoami(exchange, caller);
        default -> send(exchange, 404, "application/json", error("no such page: " + path));
      }
    } catch (SQLException e) {
      LOG.log(System.Logger.Level.WARNING, "a UI request failed on the database", e);
      send(exchange, 503, "application/json", error("the database is not available: " + e.getMessage()));
    } catch (IllegalArgumentException e) {
      send(exchange, 400, "application/json", error(e.getMessage()));
    } finally {
      exchange.close();
    }
  }

  private void page(HttpExchange exchange, String query) throws IOException, SQLException {
    String q = checkQuery(query, true);
    PassiveDnsStore db = store.get();
    List<PassiveDnsStore.Row> rows = q.isEmpty() ? List.of() : db.search(q, maxResults + 1);
    boolean truncated = rows.size() > maxResults;
    String html = SearchPage.render(q, truncated ? rows.subList(0, maxResults) : rows, db.stats(), truncated);
    send(exchange, 200, "text/html; charset=utf-8", html);
  }

  private void search(HttpExchange exchange, Optional<String> query) throws IOException, SQLException {
    String q = checkQuery(query.orElseThrow(() -> new IllegalArgumentException("q is required")), false);
    List<PassiveDnsStore.Row> rows = store.get().search(q, maxResults + 1);
    boolean truncated = rows.size() > maxResults;
    ObjectNode body = Json.MAPPER.createObjectNode().put("query", Observation.normalizeName(q));
    ArrayNode results = body.putArray("results");
    for (PassiveDnsStore.Row r : truncated ? rows.subList(0, maxResults) : rows) {
      results.addObject().put("qname", r.qname()).put("qtype", r.qtype()).put("answer", r.answer())
          .put("first_seen", r.firstSeen().toString()).put("last_seen", r.lastSeen().toString())
          .put("count", r.count());
    }
    body.put("truncated", truncated);
    send(exchange, 200, "application/json", json(body));
  }

  private static void whoami(HttpExchange exchange, Optional<UiIdentityVerifier.Verified> caller)
      throws IOException {
    if (caller.isEmpty()) {
      send(exchange, 404, "application/json", error("no identity: this UI does not run behind Fleet Management"));
      return;
    }
    send(exchange, 200, "application/json", json(Json.MAPPER.createObjectNode().put("user", caller.get().user())
        .put("role", caller.get().role())));
  }

  private static ObjectNode stats(PassiveDnsStore.Stats s) {
    ObjectNode body = Json.MAPPER.createObjectNode().put("rows", s.rows()).put("names", s.names())
        .put("sightings", s.sightings());
    body.put("first_seen", s.firstSeen().map(Instant::toString).orElse(null));
    body.put("last_seen", s.lastSeen().map(Instant::toString).orElse(null));
    return body;
  }

  private static String checkQuery(String query, boolean emptyAllowed) {
    String q = query.strip();
    if (q.isEmpty() && !emptyAllowed) {
      throw new IllegalArgumentException("q must not be empty");
    }
    if (q.length() > MAX_QUERY) {
      throw new IllegalArgumentException("q is longer than " + MAX_QUERY + " characters");
    }
    return q;
  }

  private static Optional<String> parameter(HttpExchange exchange, String name) {
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw == null) {
      return Optional.empty();
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
        return Optional.of(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  private static String error(String message) {
    return json(Json.MAPPER.createObjectNode().put("error", message));
  }

  private static String json(ObjectNode node) {
    try {
      return Json.MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Type", type);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
    headers.set("Cache-Control", "no-store");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.close();
  }
}
