package io.sensorfleet.http.json;

import java.util.List;

/** {@code POST /api/v1/users}: {@code uiGrants} (Instrument ids) may be omitted. Prints without its password. */
public record CreateUserRequest(String username, String password, String role, List<String> uiGrants) {
  @Override
  public String toString() {
    return "CreateUserRequest[" + username + ", " + role + "]";
  }
}
