package io.sensorfleet.instruments.rulemanager;

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

/** conf/instruments/rule-manager.yaml runs this jar and hands it a configuration it accepts. */
class ManifestTest {

  static final InstrumentManifest MANIFEST =
      ManifestParser.parseOrThrow(Path.of("../../conf/instruments/rule-manager.yaml"));

  @Test
  void runs_the_jar_from_the_program_directory() {
    assertEquals(List.of("-jar", "/opt/instrument/rule-manager.jar"), MANIFEST.command().subList(
        MANIFEST.command().size() - 2, MANIFEST.command().size()));
  }

  @Test
  void its_configuration_is_accepted_and_asks_to_send_to_every_target() {
    var parsed = assertInstanceOf(ManagerConfig.Parsed.Valid.class,
        ManagerConfig.parse(RawJson.of(MANIFEST.config().toString())));
    List<PermissionRequest> sends = parsed.config().rulesets().stream()
        .map(r -> new PermissionRequest(Action.SEND, r.target().value())).distinct().toList();
    assertEquals(sends, MANIFEST.permissions());
  }
}
