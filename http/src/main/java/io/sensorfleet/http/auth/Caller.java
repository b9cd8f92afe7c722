package io.sensorfleet.http.auth;

import io.sensorfleet.actors.user.UserDirectory.User;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.access.AccessPolicy;
import io.sensorfleet.core.access.Operation;

/**
 * An authenticated request's user, as the directory holds it now (so a role change applies on the next request),
 * and the token that authenticated it (for logout).
 */
public record Caller(User user, String token) {

  public Principal principal() {
    return user.principal();
  }

  public boolean may(Operation operation) {
    return AccessPolicy.allows(user.role(), user.uiGrants(), operation);
  }

  @Override
  public String toString() {
    return "Caller[" + user.name() + "]";
  }
}
