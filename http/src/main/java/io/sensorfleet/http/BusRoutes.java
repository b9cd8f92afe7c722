package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.completeOK;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.actors.bus.PolicyStore;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Operation.Area;
import io.sensorfleet.core.permission.Action;
import io.sensorfleet.core.permission.Grant;
import io.sensorfleet.core.permission.PermissionPolicy;
import io.sensorfleet.events.UserEvent;
import io.sensorfleet.events.UserEventFilter;
import io.sensorfleet.http.auth.Access;
import io.sensorfleet.http.json.ApiError;
import io.sensorfleet.http.json.CheckView;
import io.sensorfleet.http.json.PolicyUpdateRequest;
import io.sensorfleet.http.json.PolicyView;
import io.sensorfleet.http.json.UserEventPageView;
import io.sensorfleet.http.json.UserEventView;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The bus for operators: the permission policy ({@code GET}/{@code PUT /api/v1/permissions}, admin to change;
 * audited before it is applied, and by the policy store with what was granted and revoked), the policy's answer to
 * "may A do X on B?" ({@code /api/v1/permissions/check}), stored {@code users} events ({@code /api/v1/events},
 * filtered and paged) and the live feed ({@code /api/v1/events/stream}, Server-Sent Events, a heartbeat comment
 * every 15 s).
 */
public final class BusRoutes {

  static final int DEFAULT_LIMIT = 100;
  static final Duration HEARTBEAT = Duration.ofSeconds(15);
  private static final Set<String> EVENT_FILTERS = Set.of("topic", "instrument", "from", "to", "before", "limit");

  private final Bus bus;
  private final Access access;
  private final Bodies bodies;
  private final ObjectMapper mapper;
  private final Function<AuditRequest, CompletionStage<?>> audit;
  private final Endpoints endpoints = new Endpoints();

  public BusRoutes(Bus bus, Access access, Bodies bodies, ObjectMapper mapper,
      Function<AuditRequest, CompletionStage<?>> audit) {
    this.bus = bus;
    this.access = access;
    this.bodies = bodies;
    this.mapper = mapper;
    this.audit = audit;
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  public Route route() {
    return concat(
        endpoints.get("/api/v1/permissions", vars -> access.require(Area.READ, caller ->
            onSuccess(bus.policy(), state -> ok(PolicyView.of(state))))),
        endpoints.put("/api/v1/permissions", vars -> access.require(Area.PERMISSIONS, caller ->
            bodies.json(PolicyUpdateRequest.class, update -> {
              PermissionPolicy policy = policy(update);
              long expected = update.version() == null ? PolicyStore.Replace.ANY_VERSION : update.version();
              // On the record before it takes effect: if the journal cannot take it, nothing changes (503).
              var requested = AuditRequest.of(caller.principal(), "permissions change requested",
                  AuditKind.PERMISSION, Outcome.OK, policy.grants().size() + " grants, expected version "
                      + (update.version() == null ? "any" : update.version()));
              return onSuccess(audit.apply(requested).thenCompose(stored ->
                  bus.replacePolicy(policy, expected, caller.principal())), state -> ok(PolicyView.of(state)));
            }))),
        endpoints.get("/api/v1/permissions/check", vars -> access.require(Area.READ, caller ->
            parameterMap(params -> {
              InstrumentId from = instrument(params, "from");
              Action action = Action.fromWireName(required(params, "action")).orElseThrow(() ->
                  new ApiException.BadRequest("invalid-query", "unknown action", List.of(new ApiError.FieldError(
                      "action", "one of " + Action.wireNames()))));
              String object = required(params, "object");
              return onSuccess(bus.check(from, object, action), decision -> ok(new CheckView(from.value(),
                  action.wireName(), object, decision.allowed(), decision.reason())));
            }))),
        endpoints.get("/api/v1/events", vars -> access.require(Area.READ, caller ->
            parameterMap(params -> {
              UserEventFilter filter = filter(params);
              return onSuccess(bus.events(filter), page -> ok(new UserEventPageView(
                  page.stream().map(UserEventView::of).toList(),
                  page.size() < filter.limit() ? null : page.getLast().seq())));
            }))),
        endpoints.get("/api/v1/events/stream", vars -> access.require(Area.READ, caller ->
            parameterMap(params -> {
              Optional<String> topic = Optional.ofNullable(params.get("topic"));
              return completeOK(bus.live()
                      .filter(e -> topic.map(e.topic()::equals).orElse(true))
                      .map(this::sse)
                      .keepAlive(HEARTBEAT, ServerSentEvent::heartbeat),
                  EventStreamMarshalling.toEventStream());
            }))));
  }

  private ServerSentEvent sse(UserEvent event) {
    try {
      return ServerSentEvent.create(mapper.writeValueAsString(UserEventView.of(event)), event.topic(),
          Long.toString(event.seq()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The grants of the body, each checked; 400 naming every bad one ({@code grants[2].object}). */
  private static PermissionPolicy policy(PolicyUpdateRequest update) {
    if (update.grants() == null) {
      throw new ApiException.BadRequest("invalid-policy", "grants is required (an empty list denies everything)",
          List.of(new ApiError.FieldError("grants", "required")));
    }
    List<Grant> grants = new ArrayList<>();
    List<ApiError.FieldError> errors = new ArrayList<>();
    for (int i = 0; i < update.grants().size(); i++) {
      var g = update.grants().get(i);
      String at = "grants[" + i + "]";
      if (g == null || g.subject() == null || !InstrumentId.isValid(g.subject())) {
        errors.add(new ApiError.FieldError(at + ".subject", "an Instrument id"));
        continue;
      }
      Optional<Action> action = g.action() == null ? Optional.empty() : Action.fromWireName(g.action());
      if (action.isEmpty()) {
        errors.add(new ApiError.FieldError(at + ".action", "one of " + Action.wireNames()));
        continue;
      }
      try {
        grants.add(new Grant(InstrumentId.of(g.subject()), action.get(), g.object() == null ? "" : g.object()));
      } catch (IllegalArgumentException e) {
        errors.add(new ApiError.FieldError(at + ".object", e.getMessage()));
      }
    }
    if (!errors.isEmpty()) {
      throw new ApiException.BadRequest("invalid-policy", errors.size() + " invalid grants", errors);
    }
    return PermissionPolicy.of(grants);
  }

  private static UserEventFilter filter(Map<String, String> params) {
    for (String name : params.keySet()) {
      if (!EVENT_FILTERS.contains(name)) {
        throw new ApiException.BadRequest("invalid-query", "unknown parameter " + name,
            List.of(new ApiError.FieldError(name, "one of " + EVENT_FILTERS)));
      }
    }
    long limit = number(params, "limit").orElse((long) DEFAULT_LIMIT);
    if (limit < 1 || limit > UserEventFilter.MAX_LIMIT) {
      throw new ApiException.BadRequest("invalid-query", "limit out of range", List.of(new ApiError.FieldError(
          "limit", "1 to " + UserEventFilter.MAX_LIMIT)));
    }
    UserEventFilter filter = UserEventFilter.all((int) limit).between(time(params, "from"), time(params, "to"));
    if (params.containsKey("topic")) {
      filter = filter.withTopic(params.get("topic"));
    }
    if (params.containsKey("instrument")) {
      filter = filter.withInstrument(instrument(params, "instrument"));
    }
    Optional<Long> before = number(params, "before");
    return before.isPresent() ? filter.before(before.get()) : filter;
  }

  private static String required(Map<String, String> params, String name) {
    String value = params.get(name);
    if (value == null || value.isEmpty()) {
      throw new ApiException.BadRequest("invalid-query", name + " is required",
          List.of(new ApiError.FieldError(name, "required")));
    }
    return value;
  }

  private static InstrumentId instrument(Map<String, String> params, String name) {
    String value = required(params, name);
    if (!InstrumentId.isValid(value)) {
      throw new ApiException.BadRequest("invalid-query", "not an Instrument id",
          List.of(new ApiError.FieldError(name, "an Instrument id")));
    }
    return InstrumentId.of(value);
  }

  private static Optional<Long> number(Map<String, String> params, String name) {
    try {
      return Optional.ofNullable(params.get(name)).map(Long::parseLong);
    } catch (NumberFormatException e) {
      throw new ApiException.BadRequest("invalid-query", name + " is not a number",
          List.of(new ApiError.FieldError(name, "a whole number")));
    }
  }

  private static Optional<Instant> time(Map<String, String> params, String name) {
    try {
      return Optional.ofNullable(params.get(name)).map(Instant::parse);
    } catch (DateTimeParseException e) {
      throw new ApiException.BadRequest("invalid-query", name + " is not a time",
          List.of(new ApiError.FieldError(name, "an ISO-8601 instant such as 2026-12-04T10:00:00Z")));
    }
  }

  private <T> Route ok(T value) {
    return completeOK(value, Jackson.marshaller(mapper));
  }
}
