package io.sensorfleet.http.json;

import java.time.Instant;

/**
 * A successful login: the bearer token (also set as the session cookie), whose it is, and when it ends at the
 * latest (sooner when unused for the idle time).
 */
public record LoginView(String token, UserView user, Instant expiresAt) {
  @Override
  public String toString() {
    return "LoginView[" + user.username() + "]";
  }
}
