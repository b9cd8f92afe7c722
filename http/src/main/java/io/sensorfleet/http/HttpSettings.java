package io.sensorfleet.http;

import com.typesafe.config.Config;
import java.time.Duration;

/** The {@code sensor.http} settings, read once from config. */
public record HttpSettings(String host, int port, int auditDefaultLimit, int auditMaxLimit, long maxBodyBytes,
                           Duration lifecycleTimeout, boolean metricsPublic) {

  public static HttpSettings from(Config config) {
    Config http = config.getConfig("sensor.http");
    return new HttpSettings(
        http.getString("host"),
        http.getInt("port"),
        http.getInt("audit-default-limit"),
        http.getInt("audit-max-limit"),
        http.getBytes("max-body"),
        http.getDuration("lifecycle-timeout"),
        http.getBoolean("metrics-public"));
  }
}
