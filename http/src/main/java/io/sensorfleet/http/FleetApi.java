package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.http.json.ApiError;
import java.util.Locale;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fleet Management's API: joins the resource routes under {@code /api/v1} and maps every failure to an
 * {@link ApiError} body once, so clients parse one shape: validation 400, unknown path or id 404, an ask that
 * timed out 503, anything unforeseen 500 (logged, never leaked).
 */
public final class FleetApi {

  private static final Logger log = LoggerFactory.getLogger(FleetApi.class);

  private final ObjectMapper mapper;
  private final Route routes;

  public FleetApi(ObjectMapper mapper, HealthRoutes health, AuditRoutes audit, InstrumentRoutes instruments) {
    this.mapper = mapper;
    this.routes = pathPrefix("api", () -> pathPrefix("v1", () -> concat(health.route(), audit.route(),
        instruments.route())));
  }

  /** The whole API, sealed with our error handlers. */
  public Route route() {
    return handleExceptions(exceptions(), () -> handleRejections(rejections(), () -> routes));
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(CompletionException.class, e -> failure(e.getCause() != null ? e.getCause() : e))
        .matchAny(this::failure)
        .build();
  }

  private Route failure(Throwable e) {
    if (e instanceof IllegalArgumentException) {
      return error(StatusCodes.BAD_REQUEST, "invalid-request", e.getMessage());
    }
    if (e instanceof TimeoutException || e.getClass().getSimpleName().equals("AskTimeoutException")) {
      return error(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", "the sensor did not answer in time; retry");
    }
    log.error("unexpected failure serving a request", e);
    return error(StatusCodes.INTERNAL_SERVER_ERROR, "internal", "internal error; see the sensor's log");
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
    try {
      byte[] body = mapper.writeValueAsBytes(new ApiError(code, strict.getData().utf8String()));
      return response.withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
    } catch (JsonProcessingException e) {
      return response;
    }
  }
}
