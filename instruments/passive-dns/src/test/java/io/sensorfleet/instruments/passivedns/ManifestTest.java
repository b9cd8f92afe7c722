package io.sensorfleet.instruments.passivedns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.manifest.InstrumentManifest;
import io.sensorfleet.core.manifest.ManifestParser;
import io.sensorfleet.core.permission.Action;
import io.sensorfleet.core.permission.PermissionRequest;
import io.sensorfleet.core.protocol.RawJson;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** conf/instruments/passive-dns.yaml runs this jar and hands it a configuration it accepts, on its UI port. */
class ManifestTest {

  static final InstrumentManifest MANIFEST =
      ManifestParser.parseOrThrow(Path.of("../../conf/instruments/passive-dns.yaml"));

  @Test
  void runs_the_jar_from_the_program_directory() {
    assertEquals(List.of("-jar", "/opt/instrument/passive-dns.jar"), MANIFEST.command().subList(
        MANIFEST.command().size() - 2, MANIFEST.command().size()));
  }

  @Test
  void its_configuration_is_accepted_and_listens_on_the_ui_port() {
    var parsed = assertInstanceOf(PassiveDnsConfig.Parsed.Valid.class,
        PassiveDnsConfig.parse(RawJson.of(MANIFEST.config().toString())));
    assertEquals(MANIFEST.ui().orElseThrow().port(), parsed.config().uiPort());
  }

  @Test
  void asks_to_subscribe_to_dns_and_keeps_data() {
    assertEquals(List.of(new PermissionRequest(Action.SUBSCRIBE, PassiveDns.DNS.value())), MANIFEST.permissions());
    assertTrue(MANIFEST.storage().persistent().bytes() > 0, "a persistent volume for the database");
  }
}
