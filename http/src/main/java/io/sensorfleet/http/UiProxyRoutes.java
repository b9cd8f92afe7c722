package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.extractUnmatchedPath;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.redirect;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Operation;
import io.sensorfleet.http.auth.Access;
import io.sensorfleet.http.auth.Caller;
import io.sensorfleet.http.json.ApiError;
import io.sensorfleet.lxd.internal.UnixSocketTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;

/**
 * {@code /instruments/{id}/ui/...}: the one door to Instrument UIs. The caller must be logged in and allowed to open
 * that Instrument's UI (admin, or a user with the grant); the request then goes, streamed, through the host unix
 * socket that an LXD proxy device bridges to the UI port inside the container ({@link Instrument#uiSocket}), so a
 * UI needs no container network and nothing else can reach it.
 *
 * <p>A hostile UI must not act as the operator: {@code Cookie}, {@code Authorization} and hop-by-hop headers never
 * reach it, neither do client-sent {@code X-SensorFleet-*} headers (the platform sets {@code X-SensorFleet-User}
 * and {@code -Role} itself); its {@code Set-Cookie} never reaches the browser; and every response carries
 * {@code Content-Security-Policy: sandbox ...} without {@code allow-same-origin}, so its pages run in an opaque
 * origin whose scripts cannot call {@code /api/v1} with the operator's session. Page loads (HTML) are audited.
 */
public final class UiProxyRoutes {

  /** Scripts and forms work inside the sandbox; same-origin access to the platform does not. */
  static final String CSP = "sandbox allow-scripts allow-forms allow-popups allow-downloads";
  static final String USER_HEADER = "X-SensorFleet-User";
  static final String ROLE_HEADER = "X-SensorFleet-Role";
  static final String PREFIX_HEADER = "X-Forwarded-Prefix";

  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "timeout-access",
      "remote-address", "raw-request-uri", "tls-session-info");
  private static final Set<String> NEVER_FORWARDED = Set.of("cookie", "authorization");
  private static final Set<String> NEVER_RETURNED = Set.of("set-cookie", "content-security-policy",
      "content-security-policy-report-only");

  private final ActorSystem<?> system;
  private final Path runtimeRoot;
  private final Access access;
  private final ObjectMapper mapper;
  private final Function<AuditRequest, CompletionStage<?>> audit;
  private final ExecutorService io = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("ui-io-", 0)
      .factory());
  private final Map<Path, ConnectionPoolSettings> pools = new ConcurrentHashMap<>();

  /**
   * @param runtimeRoot {@code sensor.channel.runtime-root}, under which the UI sockets live
   * @param audit       records page loads
   */
  public UiProxyRoutes(ActorSystem<?> system, Path runtimeRoot, Access access, ObjectMapper mapper,
      Function<AuditRequest, CompletionStage<?>> audit) {
    this.system = system;
    this.runtimeRoot = runtimeRoot;
    this.access = access;
    this.mapper = mapper;
    this.audit = audit;
  }

  public Route route() {
    return pathPrefix("instruments", () -> pathPrefix(segment(), idText -> {
      if (!InstrumentId.isValid(idText)) {
        return error(StatusCodes.NOT_FOUND, "not-found", "no Instrument " + idText);
      }
      InstrumentId id = InstrumentId.of(idText);
      return pathPrefix("ui", () -> concat(
          pathEnd(() -> redirect(Uri.create("/instruments/" + id + "/ui/"), StatusCodes.PERMANENT_REDIRECT)),
          access.authenticated(caller -> access.allowed(caller, new Operation.OpenUi(id),
              () -> extractUnmatchedPath(rest -> forward(caller, id, rest))))));
    }));
  }

  private Route forward(Caller caller, InstrumentId id, String rest) {
    Path socket = Instrument.uiSocket(runtimeRoot, id);
    if (!Files.exists(socket)) {
      return error(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", "Instrument " + id
          + " has no UI running (not installed, stopped, or its manifest has no ui port)");
    }
    return extractRequest(request -> {
      String path = rest.isEmpty() ? "/" : rest;
      String query = request.getUri().rawQueryString().map(q -> "?" + q).orElse("");
      Uri target = Uri.create("http://instrument" + path + query);
      HttpRequest upstream = HttpRequest.create()
          .withMethod(request.method())
          .withUri(target)
          .withProtocol(request.protocol())
          .addHeaders(forwardedHeaders(request.getHeaders(), caller, id))
          .withEntity(request.entity());
      CompletionStage<HttpResponse> answer = Http.get(system).singleRequest(upstream,
          Http.get(system).defaultClientHttpsContext(), pool(socket), Adapter.toClassic(system).log());
      CompletionStage<?> audited = isPageLoad(request)
          ? audit.apply(AuditRequest.of(caller.principal(), "ui opened", AuditKind.ACCESS, Outcome.OK,
              request.method().value() + " " + path).aboutInstrument(id))
          : java.util.concurrent.CompletableFuture.completedFuture(null);
      return onSuccess(audited.thenCompose(v -> answer), response -> complete(sandboxed(response)));
    });
  }

  /** The client's headers minus credentials, hop-by-hop and spoofable ones, plus who the platform says it is. */
  static List<HttpHeader> forwardedHeaders(Iterable<HttpHeader> headers, Caller caller, InstrumentId id) {
    List<HttpHeader> out = new ArrayList<>();
    for (HttpHeader h : headers) {
      String name = h.lowercaseName();
      if (!HOP_BY_HOP.contains(name) && !NEVER_FORWARDED.contains(name) && !name.startsWith("x-sensorfleet-")
          && !name.equals(PREFIX_HEADER.toLowerCase(Locale.ROOT))) {
        out.add(h);
      }
    }
    out.add(RawHeader.create(USER_HEADER, caller.user().name()));
    out.add(RawHeader.create(ROLE_HEADER, caller.user().role().wire()));
    out.add(RawHeader.create(PREFIX_HEADER, "/instruments/" + id + "/ui"));
    return out;
  }

  /** The UI's response minus cookies, hop-by-hop headers and its own CSP, plus our sandbox. */
  static HttpResponse sandboxed(HttpResponse response) {
    List<HttpHeader> kept = new ArrayList<>();
    for (HttpHeader h : response.getHeaders()) {
      String name = h.lowercaseName();
      if (!HOP_BY_HOP.contains(name) && !NEVER_RETURNED.contains(name)) {
        kept.add(h);
      }
    }
    kept.add(RawHeader.create("Content-Security-Policy", CSP));
    kept.add(RawHeader.create("X-Content-Type-Options", "nosniff"));
    return response.withHeaders(kept);
  }

  private static boolean isPageLoad(HttpRequest request) {
    return request.getHeader("Accept").map(a -> a.value().contains("text/html")).orElse(false);
  }

  private ConnectionPoolSettings pool(Path socket) {
    return pools.computeIfAbsent(socket, s -> ConnectionPoolSettings.create(Adapter.toClassic(system))
        .withMaxConnections(8)
        .withMaxRetries(0)
        .withTransport(new UnixSocketTransport(s, io)));
  }

  private Route error(org.apache.pekko.http.javadsl.model.StatusCode status, String code, String message) {
    return complete(status, new ApiError(code, message), Jackson.marshaller(mapper));
  }
}
