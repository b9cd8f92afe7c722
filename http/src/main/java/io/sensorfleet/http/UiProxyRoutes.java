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
import io.sensorfleet.actors.instrument.UiKeys;
import io.sensorfleet.core.access.UiSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgradeResponse;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.javadsl.AsPublisher;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * {@code /instruments/{id}/ui/...}: the one door to Instrument UIs. The caller must be logged in and allowed to open
 * that Instrument's UI (admin, or a user with the grant); the request then goes, streamed, through the host unix
 * socket that an LXD proxy device bridges to the UI port inside the container ({@link Instrument#uiSocket}), so a
 * UI needs no container network and nothing else can reach it.
 *
 * <p>A hostile UI must not act as the operator: {@code Cookie}, {@code Authorization} and hop-by-hop headers never
 * reach it, neither do client-sent {@code X-SensorFleet-*} headers (the platform sets {@code X-SensorFleet-User},
 * {@code -Role}, {@code -Instrument}, {@code -Timestamp} and {@code -Signature} itself, signed with the Instrument's
 * own key: {@link UiSignature}, checked by the SDK's {@code UiIdentityVerifier}); its {@code Set-Cookie} never reaches the browser; and every response carries
 * {@code Content-Security-Policy: sandbox ...} without {@code allow-same-origin}, so its pages run in an opaque
 * origin whose scripts cannot call {@code /api/v1} with the operator's session. Page loads (HTML) and WebSocket upgrades are
 * audited; WebSocket upgrades reach the Instrument over the same socket.
 */
public final class UiProxyRoutes {

  /** Scripts and forms work inside the sandbox; same-origin access to the platform does not. */
  static final String CSP = "sandbox allow-scripts allow-forms allow-popups allow-downloads";
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
  private final UiKeys keys;
  private final Clock clock;
  // Looked up once, not per request.
  private final Http http;
  private final LoggingAdapter log;
  private final int maxConnections;
  private final Map<Path, ConnectionPoolSettings> pools = new ConcurrentHashMap<>();
  private final Map<Path, UnixSocketTransport> transports = new ConcurrentHashMap<>();

  /**
   * @param runtimeRoot {@code sensor.channel.runtime-root}, under which the UI sockets live
   * @param audit       records page loads
   * @param keys        the Instruments' UI keys, with which the identity passed on is signed
   */
  public UiProxyRoutes(ActorSystem<?> system, Path runtimeRoot, Access access, ObjectMapper mapper,
      Function<AuditRequest, CompletionStage<?>> audit, UiKeys keys, Clock clock) {
    this.keys = keys;
    this.clock = clock;
    this.system = system;
    this.runtimeRoot = runtimeRoot;
    this.access = access;
    this.mapper = mapper;
    this.audit = audit;
    this.http = Http.get(system);
    this.log = Adapter.toClassic(system).log();
    this.maxConnections = system.settings().config().getInt("sensor.http.ui-proxy.max-connections");
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
      byte[] key;
      try {
        key = keys.keyFor(id);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the UI key of " + id, e);
      }
      var identity = new UiSignature(caller.user().name(), caller.user().role().wire(), id, request.method().value(),
          target.toRelative().toString(), clock.instant().truncatedTo(ChronoUnit.SECONDS));
      List<HttpHeader> headers = forwardedHeaders(request.getHeaders(), identity, key);
      var upgrade = request.getAttribute(AttributeKeys.webSocketUpgrade);
      if (upgrade.isPresent()) {
        return websocket(upgrade.get(), caller, id, socket, path, query, headers);
      }
      HttpRequest upstream = HttpRequest.create()
          .withMethod(request.method())
          .withUri(target)
          .withProtocol(request.protocol())
          .addHeaders(headers)
          .withEntity(request.entity());
      CompletionStage<?> audited = isPageLoad(request)
          ? audit.apply(AuditRequest.of(caller.principal(), "ui opened", AuditKind.ACCESS, Outcome.OK,
              request.method().value() + " " + path).aboutInstrument(id))
          : CompletableFuture.completedFuture(null);
      // A failed audit fails the request (503, nothing forwarded); an unreachable UI is a 502.
      CompletionStage<Optional<HttpResponse>> answer = audited.thenCompose(v -> http.singleRequest(
              upstream, http.defaultClientHttpsContext(), pool(socket), log)
          .thenApply(Optional::of)
          .exceptionally(e -> unreachable(id, e)));
      return onSuccess(answer, response -> response.map(r -> complete(sandboxed(r))).orElseGet(() -> badGateway(id)));
    });
  }

  /**
   * A WebSocket upgrade: opens the Instrument's WebSocket over its UI socket first (audited as {@code ui websocket
   * opened}), then answers the client's upgrade with a flow joined to it, so the client sees the Instrument's own
   * refusal (its status, sandboxed) if it does not upgrade. Frames pass through as they are, both ways; either side
   * closing closes the other. One subprotocol is passed on (the client's first).
   */
  private Route websocket(WebSocketUpgrade upgrade, Caller caller, InstrumentId id, Path socket, String path,
      String query, List<HttpHeader> headers) {
    WebSocketRequest request = WebSocketRequest.create(Uri.create("ws://instrument" + path + query));
    for (HttpHeader h : headers) {
      if (!h.lowercaseName().startsWith("sec-websocket-")) {
        request = request.addHeader(h);
      }
    }
    var protocols = upgrade.getRequestedProtocols().iterator();
    if (protocols.hasNext()) {
      request = request.requestSubprotocol(protocols.next());
    }
    var settings = ClientConnectionSettings.create(Adapter.toClassic(system)).withTransport(transport(socket));
    Flow<Message, Message, CompletionStage<WebSocketUpgradeResponse>> client = http.webSocketClientFlow(
        request, http.defaultClientHttpsContext(), Optional.empty(), settings, log);
    CompletionStage<Optional<Upstream>> connected = audit.apply(AuditRequest.of(caller.principal(),
            // The path only: a query may carry a UI's own tokens, which have no place in the audit log.
            "ui websocket opened", AuditKind.ACCESS, Outcome.OK, "GET " + path).aboutInstrument(id))
        .thenCompose(v -> {
          var ends = Source.<Message>asSubscriber().viaMat(client, Keep.both())
              .toMat(Sink.asPublisher(AsPublisher.WITHOUT_FANOUT), Keep.both()).run(system);
          return ends.first().second().thenApply(answer -> Optional.of(
              new Upstream(ends.first().first(), ends.second(), answer)))
              .exceptionally(e -> unreachable(id, e));
        });
    return onSuccess(connected, up -> {
      if (up.isEmpty()) {
        return badGateway(id);
      }
      Upstream u = up.get();
      if (!u.answer().isValid()) {
        // Refused by the Instrument: release both ends, answer as it did.
        Source.<Message>empty().runWith(Sink.fromSubscriber(u.toInstrument()), system);
        Source.fromPublisher(u.fromInstrument()).runWith(Sink.ignore(), system);
        return complete(sandboxed(u.answer().response()));
      }
      var joined = Flow.fromSinkAndSourceCoupled(Sink.fromSubscriber(u.toInstrument()),
          Source.fromPublisher(u.fromInstrument()));
      return complete(u.answer().chosenSubprotocol().map(p -> upgrade.handleMessagesWith(joined, p))
          .orElseGet(() -> upgrade.handleMessagesWith(joined)));
    });
  }

  /** The two ends of a WebSocket to an Instrument, and its answer to the upgrade. */
  private record Upstream(Subscriber<Message> toInstrument, Publisher<Message> fromInstrument,
                          WebSocketUpgradeResponse answer) {}

  private <T> Optional<T> unreachable(InstrumentId id, Throwable e) {
    log.warning("the UI of {} did not answer: {}", id, e.getMessage());
    return Optional.empty();
  }

  private Route badGateway(InstrumentId id) {
    return error(StatusCodes.BAD_GATEWAY, "bad-gateway", "the UI of Instrument " + id + " did not answer");
  }

  /**
   * The client's headers minus credentials, hop-by-hop and spoofable ones, plus who the platform says it is, signed
   * with the Instrument's {@code key}.
   */
  static List<HttpHeader> forwardedHeaders(Iterable<HttpHeader> headers, UiSignature identity, byte[] key) {
    List<HttpHeader> out = new ArrayList<>();
    for (HttpHeader h : headers) {
      String name = h.lowercaseName();
      if (!HOP_BY_HOP.contains(name) && !NEVER_FORWARDED.contains(name) && !name.startsWith("x-sensorfleet-")
          && !name.equals(PREFIX_HEADER.toLowerCase(Locale.ROOT))) {
        out.add(h);
      }
    }
    out.add(RawHeader.create(UiSignature.USER_HEADER, identity.user()));
    out.add(RawHeader.create(UiSignature.ROLE_HEADER, identity.role()));
    out.add(RawHeader.create(UiSignature.INSTRUMENT_HEADER, identity.instrument().value()));
    out.add(RawHeader.create(UiSignature.TIMESTAMP_HEADER, Long.toString(identity.timestamp().getEpochSecond())));
    out.add(RawHeader.create(UiSignature.SIGNATURE_HEADER, identity.sign(key)));
    out.add(RawHeader.create(PREFIX_HEADER, "/instruments/" + identity.instrument() + "/ui"));
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
        .withMaxConnections(maxConnections)
        .withMaxRetries(0)
        .withTransport(transport(s)));
  }

  private UnixSocketTransport transport(Path socket) {
    return transports.computeIfAbsent(socket, s -> new UnixSocketTransport(s));
  }

  private Route error(org.apache.pekko.http.javadsl.model.StatusCode status, String code, String message) {
    return complete(status, new ApiError(code, message), Jackson.marshaller(mapper));
  }
}
