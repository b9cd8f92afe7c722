package io.sensorfleet.sdk.wrap;

import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.sdk.Health;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The health of a program that cannot answer for itself, judged from outside (the "beacon pattern"): alive while it
 * keeps printing, failed once it has been silent for longer than its heartbeat or has exited. Good for tools that
 * log a line per event or per interval; a tool that can be silent for long must be given a longer heartbeat, or
 * made to print one. Thread-safe: the output pump reports lines while the callback thread asks for health.
 */
public final class ProcessLiveness {

  private record Observed(Instant lastOutput, long lines, OptionalInt exitCode) {}

  private final Clock clock;
  private final Duration heartbeat;
  private final AtomicReference<Observed> observed;

  /**
   * Starts watching now; the start counts as output, so a program gets one heartbeat to print its first line.
   *
   * @param clock injected so tests can move time instead of waiting
   * @param heartbeat the longest silence still counted as alive
   */
  public ProcessLiveness(Clock clock, Duration heartbeat) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
    if (heartbeat.isNegative() || heartbeat.isZero()) {
      throw new IllegalArgumentException("heartbeat must be positive: " + heartbeat);
    }
    this.observed = new AtomicReference<>(new Observed(clock.instant(), 0, OptionalInt.empty()));
  }

  /** The program printed a line. */
  public void lineSeen() {
    Instant now = clock.instant();
    observed.updateAndGet(o -> new Observed(now, o.lines() + 1, o.exitCode()));
  }

  /** The program ended with {@code code}; from now on it is failed. */
  public void exited(int code) {
    observed.updateAndGet(o -> new Observed(o.lastOutput(), o.lines(), OptionalInt.of(code)));
  }

  /**
   * Healthy while the last line is at most a heartbeat old; failed with {@code no output for Ns} after that, or
   * {@code exited with code X} once the program ended. Metrics: lines seen and seconds since the last one.
   */
  public Health health() {
    Observed o = observed.get();
    long silentSeconds = Math.max(0, Duration.between(o.lastOutput(), clock.instant()).toSeconds());
    RawJson metrics = RawJson.of("{\"lines\":" + o.lines() + ",\"seconds_since_output\":" + silentSeconds + "}");
    Health verdict;
    if (o.exitCode().isPresent()) {
      verdict = Health.failed("exited with code " + o.exitCode().getAsInt());
    } else if (Duration.between(o.lastOutput(), clock.instant()).compareTo(heartbeat) > 0) {
      verdict = Health.failed("no output for " + silentSeconds + "s");
    } else {
      verdict = Health.healthy();
    }
    return verdict.withMetrics(metrics);
  }
}
