package io.sensorfleet.http.auth;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Optional;

/** The {@code sensor.http.auth} settings, read once from config. */
public record AuthSettings(Duration sessionIdle, Duration sessionMax, int maxSessions, String cookieName,
                           boolean cookieSecure, Duration throttleWindow, int failuresPerUser, int failuresPerSource,
                           int throttleMaxKeys, int passwordMinLength, int argon2MemoryKib, int argon2Iterations,
                           int argon2Parallelism, Optional<String> adminPassword) {

  public static AuthSettings from(Config config) {
    Config auth = config.getConfig("sensor.http.auth");
    String admin = auth.getString("admin-password");
    return new AuthSettings(
        auth.getDuration("session-idle"),
        auth.getDuration("session-max"),
        auth.getInt("max-sessions"),
        auth.getString("cookie-name"),
        auth.getBoolean("cookie-secure") || config.getBoolean("sensor.http.tls.enabled"),
        auth.getDuration("throttle.window"),
        auth.getInt("throttle.per-user"),
        auth.getInt("throttle.per-source"),
        auth.getInt("throttle.max-keys"),
        auth.getInt("password-min-length"),
        auth.getInt("argon2.memory-kib"),
        auth.getInt("argon2.iterations"),
        auth.getInt("argon2.parallelism"),
        admin.isEmpty() ? Optional.empty() : Optional.of(admin));
  }

  /** Never print the admin password, should settings be logged. */
  @Override
  public String toString() {
    return "AuthSettings[sessionIdle=" + sessionIdle + ", sessionMax=" + sessionMax + ", throttle=" + failuresPerUser
        + "/" + failuresPerSource + " per " + throttleWindow + "]";
  }
}
