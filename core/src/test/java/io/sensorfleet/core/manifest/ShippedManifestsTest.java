package io.sensorfleet.core.manifest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every manifest the project ships (the demo's and the reference Instruments') parses without a problem. */
class ShippedManifestsTest {

  static List<Path> shipped() throws IOException {
    Path conf = Path.of("../conf");
    try (Stream<Path> demo = Files.list(conf.resolve("demo")); Stream<Path> reference = Files.list(
        conf.resolve("instruments"))) {
      List<Path> manifests = Stream.concat(demo, reference)
          .filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
      assertFalse(manifests.isEmpty(), "no manifests under " + conf.toAbsolutePath());
      return manifests;
    }
  }

  @ParameterizedTest
  @MethodSource("shipped")
  void parses(Path manifest) {
    assertInstanceOf(ManifestParseResult.Parsed.class, ManifestParser.parse(manifest),
        () -> manifest + ": " + ManifestParser.parse(manifest));
  }
}
