package io.sensorfleet.instruments.dnssensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.sensorfleet.core.manifest.InstrumentManifest;
import io.sensorfleet.core.manifest.ManifestParser;
import io.sensorfleet.core.permission.Action;
import io.sensorfleet.core.permission.PermissionRequest;
import io.sensorfleet.core.protocol.RawJson;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** conf/instruments/dns-sensor.yaml runs this jar and hands it a configuration it accepts. */
class ManifestTest {

  static final InstrumentManifest MANIFEST =
      ManifestParser.parseOrThrow(Path.of("../../conf/instruments/dns-sensor.yaml"));

  @Test
  void runs_the_jar_from_the_program_directory() {
    assertEquals(List.of("-jar", "/opt/instrument/dns-sensor.jar"), MANIFEST.command().subList(
        MANIFEST.command().size() - 2, MANIFEST.command().size()));
  }

  @Test
  void its_configuration_is_accepted() {
    assertInstanceOf(SensorConfig.Parsed.Valid.class, SensorConfig.parse(RawJson.of(MANIFEST.config().toString())));
  }

  @Test
  void asks_to_publish_its_events_and_alerts() {
    assertEquals(List.of(new PermissionRequest(Action.PUBLISH, DnsSensor.DNS.value()),
        new PermissionRequest(Action.PUBLISH, DnsSensor.ALERTS.value())),
        MANIFEST.permissions());
  }
}
