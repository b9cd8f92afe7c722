package io.sensorfleet.http.json;

/** {@code POST /api/v1/session/password}: the user's own password change. Prints without the passwords. */
public record ChangePasswordRequest(String current, String password) {
  @Override
  public String toString() {
    return "ChangePasswordRequest";
  }
}
