package io.sensorfleet.http.json;

import io.sensorfleet.actors.instrument.Instrument;
import java.time.Duration;

/**
 * {@code GET /api/v1/instruments/{id}/retention}: how long the Instrument keeps data (from its manifest, ISO-8601
 * such as {@code PT720H}, and in seconds), and the last retention round: the Instrument's report and what the
 * platform itself found older than the cutoff (absent before the first round).
 */
public record RetentionStatusView(String id, String retention, long retentionSeconds,
                                  InstrumentView.RetentionView lastReport) {

  public static RetentionStatusView of(Instrument.Status status) {
    Duration retention = status.manifest().map(m -> m.retention()).orElse(Duration.ZERO);
    return new RetentionStatusView(status.id().value(), retention.toString(), retention.toSeconds(),
        InstrumentView.of(status).retention());
  }
}
