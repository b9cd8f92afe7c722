package io.sensorfleet.instruments.downloader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.manifest.InstrumentManifest;
import io.sensorfleet.core.manifest.ManifestParser;
import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.manifest.StaticAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** conf/instruments/downloader.yaml runs this jar, bridged, with persistent storage and no bus grants. */
class ManifestTest {

  static final InstrumentManifest MANIFEST =
      ManifestParser.parseOrThrow(Path.of("../../conf/instruments/downloader.yaml"));

  @Test
  void runs_the_jar_from_the_program_directory() {
    assertEquals(List.of("-jar", "/opt/instrument/downloader.jar"), MANIFEST.command().subList(
        MANIFEST.command().size() - 2, MANIFEST.command().size()));
  }

  @Test
  void it_is_bridged_keeps_what_it_fetched_and_requests_nothing_on_the_bus() {
    assertInstanceOf(NetworkMode.Bridged.class, MANIFEST.network());
    assertTrue(MANIFEST.storage().persistent().bytes() > 0);
    assertEquals(List.of(), MANIFEST.permissions());
  }

  @Test
  void it_declares_its_address_on_the_egress_segment_and_the_way_out_from_there() {
    assertEquals(Optional.of(StaticAddress.of("10.254.0.2/24", "10.254.0.1")), MANIFEST.network().staticAddress());
  }

  @Test
  void the_demo_gives_the_egress_segment_s_instruments_their_addresses() {
    assertEquals(Optional.of(StaticAddress.of("10.254.0.2/24")),
        ManifestParser.parseOrThrow(Path.of("../../conf/demo/downloader.yaml")).network().staticAddress());
    assertEquals(Optional.of(StaticAddress.of("10.254.0.3/24")),
        ManifestParser.parseOrThrow(Path.of("../../conf/demo/beacon-control.yaml")).network().staticAddress());
  }
}
