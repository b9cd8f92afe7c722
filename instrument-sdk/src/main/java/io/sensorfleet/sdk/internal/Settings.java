package io.sensorfleet.sdk.internal;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.sdk.Backoff;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What a client needs to connect, resolved once by the builder from its calls and the environment.
 *
 * @param bus the unix socket the platform listens on
 * @param instrument who we are, sent in {@code hello}
 * @param software the {@code hello} frame's {@code software} field
 * @param handshakeTimeout how long to wait for {@code welcome} before dropping the connection and retrying
 * @param requestTimeout how long a request ({@code subscribe}, acknowledged {@code send}) waits for its answer
 * @param callbackQueue how many received frames may wait for the callback thread before the reader stops reading
 */
public record Settings(
    Path bus,
    InstrumentId instrument,
    String software,
    Duration handshakeTimeout,
    Duration requestTimeout,
    Backoff backoff,
    int callbackQueue) {
  public Settings {
    Objects.requireNonNull(bus, "bus");
    Objects.requireNonNull(instrument, "instrument");
    Objects.requireNonNull(software, "software");
    positive("handshakeTimeout", handshakeTimeout);
    positive("requestTimeout", requestTimeout);
    Objects.requireNonNull(backoff, "backoff");
    if (callbackQueue < 1) {
      throw new IllegalArgumentException("callbackQueue must be positive: " + callbackQueue);
    }
  }

  private static void positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
