package io.sensorfleet.actors.instrument;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The health of one Instrument as a value: the state shown to operators, consecutive failed checks, the last few
 * results with their latency, and how many restarts in a row health has caused (for the backoff). Pure, so the
 * rules are tested without actors; the {@code Instrument} actor owns one and replaces it on every check.
 *
 * @param state               what operators see
 * @param consecutiveFailures failed checks since the last good one (timeouts and {@code failed} reports alike)
 * @param recent              newest last, at most {@code keep}
 * @param restarts            restarts caused by health since the last good check
 * @param graceUntil          until then, and while no check has been good since the start, a failed check is
 *                            shown but not counted (the manifest's {@code start-period})
 */
public record HealthTracker(State state, int consecutiveFailures, List<Check> recent, int restarts, int keep,
                            Instant graceUntil) {

  /** What Fleet Management shows. */
  public enum State { STARTING, HEALTHY, DEGRADED, UNHEALTHY, STOPPED, FAILED }

  /** The outcome of one health query. */
  public enum Result { HEALTHY, DEGRADED, FAILED, TIMEOUT, NOT_CONNECTED }

  /** One health query and its answer; {@code latency} is empty when nothing came back. */
  public record Check(Instant at, Result result, Optional<Duration> latency, String detail) {
    boolean failed() {
      return result == Result.FAILED || result == Result.TIMEOUT || result == Result.NOT_CONNECTED;
    }
  }

  public HealthTracker {
    recent = List.copyOf(recent);
  }

  public static HealthTracker stopped(int keep) {
    return new HealthTracker(State.STOPPED, 0, List.of(), 0, keep, Instant.MIN);
  }

  /** The Instrument said hello: checks begin; the restart count survives so backoff keeps growing. */
  public HealthTracker starting() {
    return starting(Instant.MIN);
  }

  /** As {@link #starting()}, with failed checks before {@code graceUntil} not counted until one is good. */
  public HealthTracker starting(Instant graceUntil) {
    return new HealthTracker(State.STARTING, 0, recent, restarts, keep, graceUntil);
  }

  public HealthTracker with(State newState) {
    return new HealthTracker(newState, consecutiveFailures, recent, restarts, keep, graceUntil);
  }

  /**
   * Adds a check's result: a good check resets the failures and the restart count and ends the start period; a
   * failed one within the start period keeps the Instrument {@code STARTING} without counting.
   */
  public HealthTracker record(Check check) {
    var last = new ArrayList<>(recent);
    last.add(check);
    while (last.size() > keep) {
      last.removeFirst();
    }
    if (!check.failed()) {
      return new HealthTracker(check.result() == Result.DEGRADED ? State.DEGRADED : State.HEALTHY, 0, last, 0, keep,
          Instant.MIN);
    }
    if (state == State.STARTING && check.at().isBefore(graceUntil)) {
      return new HealthTracker(State.STARTING, consecutiveFailures, last, restarts, keep, graceUntil);
    }
    return new HealthTracker(State.UNHEALTHY, consecutiveFailures + 1, last, restarts, keep, graceUntil);
  }

  /** True once {@code failuresBeforeRestart} checks in a row have failed. */
  public boolean restartDue(int failuresBeforeRestart) {
    return consecutiveFailures >= failuresBeforeRestart;
  }

  /** Counts a restart caused by health; see {@link #backoff} for the delay before it. */
  public HealthTracker restarted() {
    return new HealthTracker(State.STARTING, 0, recent, restarts + 1, keep, Instant.MIN);
  }

  /** Exponential backoff for the {@code restarts}-th restart in a row (1-based), capped. */
  public static Duration backoff(int restarts, Duration min, Duration max) {
    int doublings = Math.max(0, Math.min(restarts - 1, 30));
    Duration delay = min.multipliedBy(1L << doublings);
    return delay.compareTo(max) > 0 ? max : delay;
  }

  public Optional<Check> last() {
    return recent.isEmpty() ? Optional.empty() : Optional.of(recent.getLast());
  }
}
