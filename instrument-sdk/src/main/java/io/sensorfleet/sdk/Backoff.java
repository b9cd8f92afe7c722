package io.sensorfleet.sdk;

import java.time.Duration;
import java.util.Objects;

/**
 * How long to wait before connecting again after the socket was missing, refused or dropped: exponential, capped,
 * with random jitter so that many Instruments restarted together do not reconnect in lock step. The attempt count
 * goes back to zero after each successful handshake.
 *
 * @param min the wait before the first retry
 * @param max the cap
 * @param multiplier growth per failed attempt, at least 1
 * @param jitter the fraction of each wait that is random, 0 to 1: the wait is drawn from
 *     {@code [d * (1 - jitter), d]} where {@code d} is the exponential value
 */
public record Backoff(Duration min, Duration max, double multiplier, double jitter) {

  /** 200 ms, doubling, capped at 30 s, 20 % jitter. */
  public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), 2.0, 0.2);

  public Backoff {
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("need 0 < min <= max, got " + min + " and " + max);
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be at least 1: " + multiplier);
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("jitter must be between 0 and 1: " + jitter);
    }
  }

  /**
   * The wait before retry number {@code attempt} (0 for the first), given a random number from {@code [0, 1)}; pure,
   * so it can be tested without waiting.
   */
  public Duration delay(int attempt, double random) {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must not be negative: " + attempt);
    }
    double exponential = min.toNanos() * Math.pow(multiplier, attempt);
    double capped = Math.min(exponential, max.toNanos());
    return Duration.ofNanos((long) (capped * (1.0 - jitter * random)));
  }
}
