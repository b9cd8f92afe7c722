package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.core.access.Operation;
import io.sensorfleet.http.auth.Access;
import io.sensorfleet.http.auth.AuthRoutes;
import io.sensorfleet.http.auth.UserRoutes;
import io.sensorfleet.http.json.ApiError;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fleet Management's HTTP surface: the resource routes under {@code /api/v1}, and {@code /metrics}. Every request is
 * timed; every failure becomes an {@link ApiError} body here, once, so clients parse one shape: invalid input 400,
 * not logged in 401, not allowed 403, unknown path or id 404, refused by state 409, body too large 413, an ask that
 * timed out 503, anything unforeseen 500 (logged, never leaked).
 *
 * <p>Only {@code /api/v1/health}, {@code /api/v1/login} and {@code /api/v1/openapi.yaml} (and {@code /metrics} when
 * {@code sensor.http.metrics-public}) answer without a login. The reverse proxy to Instrument UIs
 * ({@code /instruments/{id}/ui/}, {@link UiProxyRoutes}) is outside {@code /api/v1} and outside the OpenAPI document.
 */
public final class FleetApi {

  private static final Logger log = LoggerFactory.getLogger(FleetApi.class);

  private final ObjectMapper mapper;
  private final ApiMetrics metrics;
  /** Every route, under our exception and rejection handlers: built once (a route given as a supplier is built anew
   * for every request, handlers and all). */
  private final Route sealed;
  private final SortedSet<String> operations = new TreeSet<>();

  public FleetApi(ObjectMapper mapper, ApiMetrics metrics, Access access, boolean metricsPublic, HealthRoutes health,
      OpenApiRoutes openApi, AuthRoutes auth, UserRoutes users, InstrumentRoutes instruments, AuditRoutes audit,
      NetworkRoutes network, BusRoutes bus, UiProxyRoutes ui, CaptureRoutes capture,
      ConsoleRoutes console) {
    this.mapper = mapper;
    this.metrics = metrics;
    // The UI proxy first: it matches /instruments/... only, which no other route does, and a proxied request (a
    // page's every asset) then skips walking the API's templates one by one (measured: most of its allocation).
    Route routes = concat(ui.route(),
        metrics.route(inner -> metricsPublic ? inner.get() : access.require(Operation.Area.READ, c -> inner.get())),
        health.route(), openApi.route(), auth.route(), users.route(), instruments.route(), audit.route(),
        network.route(), bus.route(), capture.route(),
        console.route());
    for (Endpoints e : List.of(metrics.endpoints(), health.endpoints(), openApi.endpoints(), auth.endpoints(),
        users.endpoints(), instruments.endpoints(), audit.endpoints(), network.endpoints(), bus.endpoints(),
        capture.endpoints())) {
      operations.addAll(e.operations());
    }
    metrics.useTemplates(operations);
    ExceptionHandler exceptions = exceptions();
    RejectionHandler rejections = rejections();
    this.sealed = handleExceptions(exceptions, () -> handleRejections(rejections, () -> routes));
  }

  /** The whole API, timed and sealed with our error handlers. */
  public Route route() {
    return metrics.measure(() -> sealed);
  }

  /** Every operation served, as {@code "get /api/v1/instruments/{id}"}. */
  public SortedSet<String> operations() {
    return java.util.Collections.unmodifiableSortedSet(operations);
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder().matchAny(e -> failure(unwrap(e))).build();
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private Route failure(Throwable e) {
    return switch (e) {
      case ApiException.BadRequest bad -> complete(StatusCodes.BAD_REQUEST,
          new ApiError(bad.code(), bad.getMessage(), bad.errors()), Jackson.marshaller(mapper));
      case ApiException.NotFound notFound -> error(StatusCodes.NOT_FOUND, notFound.code(), notFound.getMessage());
      case ApiException.Conflict conflict -> error(StatusCodes.CONFLICT, conflict.code(), conflict.getMessage());
      case ApiException.Unavailable down -> error(StatusCodes.SERVICE_UNAVAILABLE, down.code(), down.getMessage());
      case StatusReply.ErrorMessage refused -> error(StatusCodes.CONFLICT, "conflict", refused.getMessage());
      case EntityStreamSizeException tooLarge -> error(StatusCodes.CONTENT_TOO_LARGE, "payload-too-large",
          "the body is larger than " + tooLarge.limit() + " bytes");
      case IllegalArgumentException invalid -> error(StatusCodes.BAD_REQUEST, "invalid-request", invalid.getMessage());
      case TimeoutException timeout -> unavailable();
      case io.sensorfleet.actors.JournalUnavailable journal -> error(StatusCodes.SERVICE_UNAVAILABLE,
          "journal-unavailable", "the journal cannot be written, so nothing was changed; retry later");
      default -> {
        if (e.getClass().getSimpleName().equals("AskTimeoutException")) {
          yield unavailable();
        }
        log.error("unexpected failure serving a request", e);
        yield error(StatusCodes.INTERNAL_SERVER_ERROR, "internal", "internal error; see the sensor's log");
      }
    };
  }

  private Route unavailable() {
    return error(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", "the sensor did not answer in time; retry");
  }

  private Route error(StatusCode status, String code, String message) {
    return complete(status, new ApiError(code, message), Jackson.marshaller(mapper));
  }

  private RejectionHandler rejections() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(this::asApiError);
  }

  private HttpResponse asApiError(HttpResponse response) {
    if (!(response.entity() instanceof HttpEntity.Strict strict)
        || strict.getContentType().equals(ContentTypes.APPLICATION_JSON)) {
      return response;
    }
    String code = response.status().reason().toLowerCase(Locale.ROOT).replace(' ', '-');
    String message = strict.getData().utf8String();
    if (response.status().equals(StatusCodes.CONTENT_TOO_LARGE)) {
      code = "payload-too-large";
      message = "the body is larger than this API accepts (sensor.http.max-body)";
    }
    try {
      byte[] body = mapper.writeValueAsBytes(new ApiError(code, message));
      return response.withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
    } catch (JsonProcessingException e) {
      return response;
    }
  }
}
