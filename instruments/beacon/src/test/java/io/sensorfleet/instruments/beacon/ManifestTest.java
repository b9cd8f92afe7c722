package io.sensorfleet.instruments.beacon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sensorfleet.core.manifest.InstrumentManifest;
import io.sensorfleet.core.manifest.ManifestParser;
import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.permission.Action;
import io.sensorfleet.core.permission.PermissionRequest;
import io.sensorfleet.instruments.support.Json;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** conf/instruments/egress-beacon.yaml: no network, a configuration it accepts, a grant request for its binary. */
class ManifestTest {

  static final InstrumentManifest MANIFEST =
      ManifestParser.parseOrThrow(Path.of("../../conf/instruments/egress-beacon.yaml"));

  @Test
  void it_has_no_network_and_asks_to_receive_its_binary() throws Exception {
    assertEquals(new NetworkMode.None(), MANIFEST.network());
    assertEquals(List.of(new PermissionRequest(Action.RECEIVE_RESOURCE, "beacon-bin")), MANIFEST.permissions());
    var settings = Beacon.parse(Json.MAPPER.readTree(MANIFEST.config().toString()));
    assertEquals("lo", settings.iface());
    assertEquals("beacon-bin", settings.resource());
  }
}
