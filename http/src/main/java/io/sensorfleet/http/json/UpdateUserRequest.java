package io.sensorfleet.http.json;

import java.util.List;

/** {@code PATCH /api/v1/users/{name}}: each present field is changed. Prints without its password. */
public record UpdateUserRequest(String role, List<String> uiGrants, String password) {
  @Override
  public String toString() {
    return "UpdateUserRequest[" + role + ", " + uiGrants + "]";
  }
}
