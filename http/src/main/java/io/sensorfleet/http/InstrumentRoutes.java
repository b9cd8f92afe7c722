package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Operation.Area;
import io.sensorfleet.core.manifest.Durations;
import io.sensorfleet.core.manifest.InstrumentManifest;
import io.sensorfleet.core.manifest.ManifestParseResult;
import io.sensorfleet.core.manifest.ManifestParser;
import io.sensorfleet.http.auth.Access;
import io.sensorfleet.http.auth.Caller;
import io.sensorfleet.http.json.ApiError;
import io.sensorfleet.http.json.ConfigVersionView;
import io.sensorfleet.http.json.InstrumentHealthView;
import io.sensorfleet.http.json.InstrumentView;
import io.sensorfleet.http.json.RetentionRequest;
import io.sensorfleet.http.json.RetentionStatusView;
import io.sensorfleet.http.json.RollbackRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/instruments}: list, the live list ({@code /api/v1/stream/instruments}, Server-Sent Events), install (a manifest, YAML or JSON), get, remove ({@code ?purge=true} also
 * deletes its storage), start, stop, restart; health; configuration (get, put, versions, rollback). Reads need a
 * login; lifecycle needs an operator, configuration too. The Instrument actors audit every change with the
 * caller as principal; refusals by role are audited by {@link Access}. Retention is read here (period and last
 * report); setting it waits for a registry command.
 */
public final class InstrumentRoutes {

  /** A lifecycle request may run this much longer than its ask before the server gives up on it. */
  private static final Duration REQUEST_MARGIN = Duration.ofSeconds(5);
  /** How often the live stream reads the whole list again, besides following changes. */
  static final Duration LIVE_REFRESH = Duration.ofSeconds(5);

  private final Fleet fleet;
  private final Access access;
  private final Bodies bodies;
  private final ObjectMapper mapper;
  private final Duration lifecycleTimeout;
  private final Duration liveRefresh;
  private final Endpoints endpoints = new Endpoints();

  /**
   * @param fleet            the Instruments (the registry through the guardian, in the sensor)
   * @param access           authentication and roles
   * @param bodies           request bodies within the size limit
   * @param mapper           the system's {@code jackson-json} mapper
   * @param lifecycleTimeout how long install, start, stop and remove may take
   */
  public InstrumentRoutes(Fleet fleet, Access access, Bodies bodies, ObjectMapper mapper, Duration lifecycleTimeout) {
    this(fleet, access, bodies, mapper, lifecycleTimeout, LIVE_REFRESH);
  }

  /** @param liveRefresh how often {@code /api/v1/stream/instruments} reads the whole list again */
  public InstrumentRoutes(Fleet fleet, Access access, Bodies bodies, ObjectMapper mapper, Duration lifecycleTimeout,
      Duration liveRefresh) {
    this.liveRefresh = liveRefresh;
    this.fleet = fleet;
    this.access = access;
    this.bodies = bodies;
    this.mapper = mapper;
    this.lifecycleTimeout = lifecycleTimeout;
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  public Route route() {
    return concat(
        endpoints.get("/api/v1/instruments", vars -> access.require(Area.READ, caller ->
            onSuccess(fleet.list(), all -> ok(all.stream().map(InstrumentView::of).toList())))),
        // Not under /api/v1/instruments/: that path's next segment is an Instrument id ("stream" is a valid one).
        endpoints.get("/api/v1/stream/instruments", vars -> access.require(Area.READ, caller ->
            completeOK(live(), EventStreamMarshalling.toEventStream()))),
        endpoints.post("/api/v1/instruments", vars -> access.require(Area.LIFECYCLE, caller ->
            lifecycle(() -> bodies.text(text -> install(text, caller))))),
        endpoints.get("/api/v1/instruments/{id}", vars -> access.require(Area.READ, caller ->
            onSuccess(find(id(vars)), s -> ok(InstrumentView.of(s))))),
        endpoints.delete("/api/v1/instruments/{id}", vars -> access.require(Area.LIFECYCLE, caller ->
            parameterOptional("purge", purge -> lifecycle(() -> onSuccess(
                fleet.remove(id(vars), purge.map(Boolean::parseBoolean).orElse(false), caller.principal()),
                s -> ok(InstrumentView.of(s))))))),
        command("start", (id, c) -> fleet.start(id, c.principal())),
        command("stop", (id, c) -> fleet.stop(id, c.principal())),
        command("restart", (id, c) -> fleet.stop(id, c.principal())
            .thenCompose(stopped -> fleet.start(id, c.principal()))),
        endpoints.get("/api/v1/instruments/{id}/health", vars -> access.require(Area.READ, caller ->
            onSuccess(find(id(vars)), s -> ok(InstrumentHealthView.of(s))))),
        endpoints.get("/api/v1/instruments/{id}/retention", vars -> access.require(Area.READ, caller ->
            onSuccess(find(id(vars)), s -> ok(RetentionStatusView.of(s))))),
        endpoints.put("/api/v1/instruments/{id}/retention", vars -> access.require(Area.RETENTION, caller ->
            bodies.json(RetentionRequest.class, request -> onSuccess(
                fleet.setRetention(id(vars), retention(request), caller.principal()),
                s -> ok(RetentionStatusView.of(s)))))),
        endpoints.get("/api/v1/instruments/{id}/config", vars -> access.require(Area.READ, caller ->
            onSuccess(fleet.configHistory(id(vars)), versions -> ok(ConfigVersionView.of(versions.stream()
                .reduce((a, b) -> b).orElseThrow(() -> new ApiException.NotFound(id(vars) + " has no configuration")),
                mapper))))),
        endpoints.put("/api/v1/instruments/{id}/config", vars -> access.require(Area.CONFIG, caller ->
            bodies.text(text -> onSuccess(fleet.setConfig(id(vars), configObject(text), caller.principal()),
                v -> ok(ConfigVersionView.of(v, mapper)))))),
        endpoints.get("/api/v1/instruments/{id}/config/versions", vars -> access.require(Area.READ, caller ->
            onSuccess(fleet.configHistory(id(vars)), versions ->
                ok(versions.stream().map(v -> ConfigVersionView.of(v, mapper)).toList())))),
        endpoints.post("/api/v1/instruments/{id}/config/rollback", vars -> access.require(Area.CONFIG, caller ->
            bodies.json(RollbackRequest.class, request -> {
              if (request.version() == null || request.version() < 1) {
                throw new ApiException.BadRequest("invalid-body", "version must be at least 1",
                    List.of(new ApiError.FieldError("version", "a version number from .../config/versions")));
              }
              return onSuccess(fleet.rollbackConfig(id(vars), request.version(), caller.principal()),
                  v -> ok(ConfigVersionView.of(v, mapper)));
            }))));
  }

  /** What the live list is built from: the whole list read from the registry, or one Instrument's new status. */
  sealed interface Change {
    record Snapshot(List<Instrument.Status> all) implements Change {}

    record Update(Instrument.Status status) implements Change {}
  }

  /**
   * Every Instrument as {@code GET /api/v1/instruments} lists them, as one Server-Sent Event ({@code event:
   * instruments}) at once and again whenever any of them changes (state, health, last check, retention). Changes
   * come from the registry's status Topic ({@link Fleet#live()}) as they happen; the whole list is read again every
   * {@code liveRefresh}, which also heals a change that fell between the first read and the subscription. A
   * registry that does not answer in time skips a read. A heartbeat comment every 15 s.
   */
  Source<ServerSentEvent, NotUsed> live() {
    Source<Change, NotUsed> rereads = Source.tick(liveRefresh, liveRefresh, "tick")
        .mapMaterializedValue(c -> NotUsed.getInstance())
        .mapAsync(1, tick -> snapshot())
        .mapConcat(change -> change.map(List::of).orElse(List.of()));
    Source<Change, NotUsed> updates = fleet.live().map(Change.Update::new);
    return Source.completionStage(snapshot())
        .mapConcat(change -> change.map(List::of).orElse(List.<Change>of()))
        .concat(updates.merge(rereads))
        .scan(Map.<String, InstrumentView>of(), InstrumentRoutes::apply)
        .drop(1)
        .map(byId -> List.copyOf(byId.values()))
        .via(changes())
        .map(this::sse)
        .keepAlive(BusRoutes.HEARTBEAT, ServerSentEvent::heartbeat);
  }

  private CompletionStage<Optional<Change>> snapshot() {
    return fleet.list().<Optional<Change>>thenApply(all -> Optional.of(new Change.Snapshot(all)))
        .exceptionally(error -> Optional.empty());
  }

  /** The Instruments by id (sorted), after a change. */
  static Map<String, InstrumentView> apply(Map<String, InstrumentView> byId, Change change) {
    var next = new TreeMap<String, InstrumentView>();
    switch (change) {
      case Change.Snapshot(List<Instrument.Status> all) -> all.forEach(s -> next.put(s.id().value(),
          InstrumentView.of(s)));
      case Change.Update(Instrument.Status status) -> {
        next.putAll(byId);
        next.put(status.id().value(), InstrumentView.of(status));
      }
    }
    return java.util.Collections.unmodifiableMap(next);
  }

  /** Passes a value on only when it differs from the one before. */
  static <T> Flow<T, T, NotUsed> changes() {
    return Flow.<T>create().statefulMap(() -> Optional.<T>empty(),
        (last, next) -> last.isPresent() && last.get().equals(next)
            ? Pair.create(last, Optional.<T>empty()) : Pair.create(Optional.of(next), Optional.of(next)),
        last -> Optional.empty())
        .filter(Optional::isPresent)
        .map(Optional::get);
  }

  private ServerSentEvent sse(List<InstrumentView> all) {
    try {
      return ServerSentEvent.create(mapper.writeValueAsString(all), "instruments");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private Route command(String name, BiFunction<InstrumentId, Caller, CompletionStage<Instrument.Status>> action) {
    return endpoints.post("/api/v1/instruments/{id}/" + name, vars -> access.require(Area.LIFECYCLE, caller ->
        lifecycle(() -> onSuccess(action.apply(id(vars), caller), s -> ok(InstrumentView.of(s))))));
  }

  private Route install(String text, Caller caller) {
    return switch (ManifestParser.parse(text)) {
      case ManifestParseResult.Invalid invalid -> throw new ApiException.BadRequest("invalid-manifest",
          invalid.errors().size() + " problem(s) in the manifest", invalid.errors().stream()
              .map(e -> new ApiError.FieldError(e.path(), e.reason())).toList());
      case ManifestParseResult.Parsed parsed -> installChecked(parsed.manifest(), caller);
    };
  }

  /** A passive Instrument's pcap filter is compiled by libpcap first: what it refuses is a 400 with its message. */
  private Route installChecked(io.sensorfleet.core.manifest.InstrumentManifest manifest, Caller caller) {
    if (manifest.network() instanceof io.sensorfleet.core.manifest.NetworkMode.Passive passive
        && !passive.filter().isBlank()) {
      try {
        io.sensorfleet.capture.PacketFilter.compile(passive.filter());
      } catch (io.sensorfleet.capture.InvalidFilterException e) {
        throw new ApiException.BadRequest("invalid-manifest", "1 problem(s) in the manifest",
            List.of(new ApiError.FieldError("network.filter", e.getMessage())));
      }
    }
    return onSuccess(fleet.install(manifest, caller.principal()),
        s -> respondWithHeader(Location.create("/api/v1/instruments/" + s.id().value()),
            () -> complete(StatusCodes.CREATED, InstrumentView.of(s), Jackson.marshaller(mapper))));
  }

  /** {@code {"retention": "30d"}} (or ISO-8601, {@code "PT720H"}), within the manifest's bounds, else 400. */
  private static Duration retention(RetentionRequest request) {
    String text = request.retention();
    Duration retention;
    try {
      if (text == null || text.isBlank()) {
        throw new IllegalArgumentException("required, such as \"30d\", \"12h\" or \"PT720H\"");
      }
      retention = Durations.parse(text);
      InstrumentManifest.requireRetention(retention);
    } catch (RuntimeException e) {
      String reason = e.getMessage() == null ? "not a duration" : e.getMessage();
      throw new ApiException.BadRequest("invalid-body", "retention: " + reason,
          List.of(new ApiError.FieldError("retention", reason)));
    }
    return retention;
  }

  /** The configuration body: a JSON object, else 400 (the Instrument never sees it). */
  private String configObject(String text) {
    JsonNode node;
    try {
      node = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ApiException.BadRequest("invalid-config", "the configuration is not valid JSON: "
          + e.getOriginalMessage(), List.of(new ApiError.FieldError("(document)", e.getOriginalMessage())));
    }
    if (node == null || !node.isObject()) {
      throw new ApiException.BadRequest("invalid-config", "the configuration must be a JSON object",
          List.of(new ApiError.FieldError("(document)", "not a JSON object")));
    }
    return text;
  }

  private CompletionStage<Instrument.Status> find(InstrumentId id) {
    return fleet.list().thenApply(all -> all.stream().filter(s -> s.id().equals(id)).findFirst()
        .orElseThrow(() -> new ApiException.NotFound("unknown instrument " + id)));
  }

  private Route lifecycle(java.util.function.Supplier<Route> inner) {
    return withRequestTimeout(lifecycleTimeout.plus(REQUEST_MARGIN), inner);
  }

  private <T> Route ok(T value) {
    return completeOK(value, Jackson.marshaller(mapper));
  }

  private static InstrumentId id(Endpoints.Vars vars) {
    String segment = vars.get("id");
    if (!InstrumentId.isValid(segment)) {
      throw new ApiException.NotFound("unknown instrument '" + segment + "'");
    }
    return InstrumentId.of(segment);
  }
}
