package io.sensorfleet.core.permission;

import io.sensorfleet.core.InstrumentId;
import java.util.Objects;

/**
 * A permission an Instrument's manifest asks for, e.g. {@code subscribe: dns}. It grants nothing: it becomes a
 * {@link Grant} only when an operator approves it ({@link #grantTo}). Requests always name a concrete object:
 * a manifest cannot ask for {@code *}, so approving a manifest's requests never hands out a wildcard by accident.
 */
public record PermissionRequest(Action action, String object) {

  public PermissionRequest {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(object, "object");
    if (object.equals(ObjectNames.WILDCARD)) {
      throw new IllegalArgumentException("a manifest cannot request '*': name the " + action.objectKind());
    }
    action.objectProblem(object).ifPresent(problem -> {
      throw new IllegalArgumentException(problem);
    });
  }

  /** The grant an operator makes by approving this request for {@code subject}. */
  public Grant grantTo(InstrumentId subject) {
    return new Grant(subject, action, object);
  }

  /** Reads as the action with its object, e.g. {@code subscribe to dns}. */
  public String describe() {
    return action.describe(object);
  }
}
