package io.sensorfleet.it.support;

import java.util.List;

/** Cleanup that goes on after a failed step: each failure is kept for the end, nothing is skipped. */
public final class Cleanup {

  /** One cleanup step. */
  public interface Step {
    void run() throws Exception;
  }

  private Cleanup() {}

  /** Runs {@code step}; what it throws goes to {@code failures}. */
  public static void step(List<Throwable> failures, Step step) {
    try {
      step.run();
    } catch (Throwable t) {
      failures.add(t);
    }
  }
}
