package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.actors.capture.CaptureSupervisor;
import io.sensorfleet.core.access.Operation.Area;
import io.sensorfleet.http.auth.Access;
import io.sensorfleet.http.json.CaptureStatsView;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/capture/stats}: the Capture Engine's counters per capture interface and per passive
 * Instrument's branch ({@link CaptureStatsView}); 503 {@code capture-unavailable} while the engine is not running
 * (no capture interface configured, or it is being restarted).
 */
public final class CaptureRoutes {

  private final Supplier<CompletionStage<CaptureSupervisor.Stats>> stats;
  private final Access access;
  private final ObjectMapper mapper;
  private final Endpoints endpoints = new Endpoints();

  /** @param stats the supervisor's counters; fails with {@link ApiException.Unavailable} when it is not running */
  public CaptureRoutes(Supplier<CompletionStage<CaptureSupervisor.Stats>> stats, Access access, ObjectMapper mapper) {
    this.stats = stats;
    this.access = access;
    this.mapper = mapper;
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  public Route route() {
    return endpoints.get("/api/v1/capture/stats", vars -> access.require(Area.READ, caller ->
        onSuccess(stats.get(), s -> completeOK(CaptureStatsView.of(s), Jackson.marshaller(mapper)))));
  }
}
