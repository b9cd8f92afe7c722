package io.sensorfleet.core.permission;

import java.util.Objects;

/**
 * The outcome of {@link PermissionPolicy#decide}: whether the action is allowed and why, in words an operator
 * reads in the audit log (the grant that allowed it, or the reason it was denied).
 */
public record Decision(boolean allowed, String reason) {

  public Decision {
    Objects.requireNonNull(reason, "reason");
  }

  static Decision allow(Grant grant) {
    return new Decision(true, "allowed by grant '" + grant.describe() + "'");
  }

  static Decision deny(String reason) {
    return new Decision(false, reason);
  }

  /** The opposite of {@link #allowed()}, for readable call sites. */
  public boolean denied() {
    return !allowed;
  }
}
