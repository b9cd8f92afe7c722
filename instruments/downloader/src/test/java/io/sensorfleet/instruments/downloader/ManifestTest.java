package io.sensorfleet.instruments.downloader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.manifest.InstrumentManifest;
import io.sensorfleet.core.manifest.ManifestParser;
import io.sensorfleet.core.manifest.NetworkMode;
import java.nio.file.Path;
import java.util.List;
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
}
