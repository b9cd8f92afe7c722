package io.sensorfleet.http.json;

import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.core.manifest.NetworkMode;
import java.time.Instant;
import java.util.Locale;

/**
 * One Instrument as Fleet Management lists it. {@code health} stays {@code unknown} until health checks run
 * (issue 4, health); {@code connected} says whether its control channel completed the handshake.
 */
public record InstrumentView(String id, String image, String network, String desired, String actual,
                             String health, Instant lastCheck, boolean connected, String detail, Instant since) {

  public static InstrumentView of(Instrument.Status s) {
    return new InstrumentView(
        s.id().value(),
        s.manifest().map(m -> m.image().value()).orElse(null),
        s.manifest().map(m -> network(m.network())).orElse(null),
        s.desired().name().toLowerCase(Locale.ROOT),
        s.actual().name().toLowerCase(Locale.ROOT).replace('_', '-'),
        "unknown",
        null,
        s.connected(),
        s.detail(),
        s.since().orElse(null));
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
