package io.sensorfleet.http.json;

import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.core.manifest.NetworkMode;
import java.time.Instant;
import java.util.Locale;

/**
 * One Instrument as Fleet Management lists it: {@code health} is starting, healthy, degraded, unhealthy, stopped
 * or failed; {@code lastCheck} the newest health result; {@code connected} whether its control channel completed
 * the handshake; {@code blockedFrames}, for a passive Instrument, the frames it tried to send that its receive-only
 * interface dropped (0 for a well-behaved one); {@code restarts} how many times health checks have restarted it
 * since its last good check; {@code storage} its storage use ({@link StorageView}).
 */
public record InstrumentView(String id, String image, String network, String desired, String actual,
                             String health, HealthCheckView lastCheck, boolean connected, String detail,
                             Instant since, RetentionView retention, long blockedFrames, int restarts,
                             StorageView storage) {

  /**
   * The last retention round: the cutoff, what the Instrument reported deleting (-1 when it did not report), and
   * the files older than the cutoff the platform itself still found there.
   */
  public record RetentionView(Instant cutoff, long reportedDeletedFiles, long violations,
                              java.util.List<String> examples, Instant checkedAt) {}

  /** One health query: when, what came back, how long it took (absent when nothing came back). */
  public record HealthCheckView(Instant at, String result, Long latencyMillis, String detail) {}

  public static InstrumentView of(Instrument.Status s) {
    return new InstrumentView(
        s.id().value(),
        s.manifest().map(m -> m.image().value()).orElse(null),
        s.manifest().map(m -> network(m.network())).orElse(null),
        s.desired().name().toLowerCase(Locale.ROOT),
        s.actual().name().toLowerCase(Locale.ROOT).replace('_', '-'),
        s.health().state().name().toLowerCase(Locale.ROOT),
        s.health().last().map(c -> new HealthCheckView(c.at(), c.result().name().toLowerCase(Locale.ROOT)
            .replace('_', '-'), c.latency().map(java.time.Duration::toMillis).orElse(null), c.detail())).orElse(null),
        s.connected(),
        s.detail(),
        s.since().orElse(null),
        s.retention().map(r -> new RetentionView(r.cutoff(), r.reportedDeletedFiles(), r.violations(), r.examples(),
            r.checkedAt())).orElse(null),
        s.blockedFrames(), s.health().restarts(), StorageView.of(s));
  }

  private static String network(NetworkMode mode) {
    return switch (mode) {
      case NetworkMode.None n -> "none";
      case NetworkMode.Passive p -> "passive";
      case NetworkMode.Bridged b -> "bridged";
      case NetworkMode.Dedicated d -> "dedicated";
    };
  }
}
