package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.actors.SensorGuardian;
import io.sensorfleet.http.json.HealthView;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/health}: is the sensor up, since when, which version. Public on purpose (load balancers and
 * service managers probe it without credentials); it names no Instrument and no user.
 */
public final class HealthRoutes {

  private final Supplier<CompletionStage<SensorGuardian.Status>> status;
  private final Clock clock;
  private final ObjectMapper mapper;
  private final Endpoints endpoints = new Endpoints();

  /**
   * @param status asks the guardian for its status (bounded by the ask timeout)
   * @param clock  for the uptime
   * @param mapper the system's {@code jackson-json} mapper
   */
  public HealthRoutes(Supplier<CompletionStage<SensorGuardian.Status>> status, Clock clock, ObjectMapper mapper) {
    this.status = status;
    this.clock = clock;
    this.mapper = mapper;
  }

  public Route route() {
    return endpoints.get("/api/v1/health", vars -> onSuccess(status.get(), s -> completeOK(view(s),
        Jackson.marshaller(mapper))));
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  private HealthView view(SensorGuardian.Status s) {
    long uptime = Math.max(0, Duration.between(s.startedAt(), clock.instant()).toSeconds());
    return new HealthView(s.phase() == SensorGuardian.Phase.RUNNING ? "ok" : s.phase().name().toLowerCase(Locale.ROOT),
        s.name(), Version.current(), s.startedAt(), uptime);
  }
}
