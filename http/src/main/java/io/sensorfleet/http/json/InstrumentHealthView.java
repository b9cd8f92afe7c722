package io.sensorfleet.http.json;

import io.sensorfleet.actors.instrument.HealthTracker;
import io.sensorfleet.actors.instrument.Instrument;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /api/v1/instruments/{id}/health}: the state operators see, failed checks in a row, and the last results
 * (oldest first, as many as {@code sensor.instruments.health-history}).
 */
public record InstrumentHealthView(String id, String state, int consecutiveFailures,
                                   InstrumentView.HealthCheckView last, List<InstrumentView.HealthCheckView> recent) {

  public static InstrumentHealthView of(Instrument.Status status) {
    HealthTracker health = status.health();
    return new InstrumentHealthView(status.id().value(), health.state().name().toLowerCase(Locale.ROOT),
        health.consecutiveFailures(), health.last().map(InstrumentHealthView::check).orElse(null),
        health.recent().stream().map(InstrumentHealthView::check).toList());
  }

  static InstrumentView.HealthCheckView check(HealthTracker.Check c) {
    return new InstrumentView.HealthCheckView(c.at(), c.result().name().toLowerCase(Locale.ROOT).replace('_', '-'),
        c.latency().map(Duration::toMillis).orElse(null), c.detail());
  }
}
