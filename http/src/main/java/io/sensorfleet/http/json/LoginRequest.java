package io.sensorfleet.http.json;

/** {@code POST /api/v1/login}. Prints without its password. */
public record LoginRequest(String username, String password) {
  @Override
  public String toString() {
    return "LoginRequest[" + username + "]";
  }
}
