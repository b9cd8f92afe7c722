package io.sensorfleet.actors;

import com.typesafe.config.Config;
import java.time.Duration;

/** The {@code sensor} settings the actor tree needs, read once from config. */
public record SensorSettings(String name, Duration askTimeout, Duration schemaTimeout) {

  public static SensorSettings from(Config config) {
    Config sensor = config.getConfig("sensor");
    return new SensorSettings(
        sensor.getString("name"),
        sensor.getDuration("actors.ask-timeout"),
        sensor.getDuration("actors.schema-timeout"));
  }
}
