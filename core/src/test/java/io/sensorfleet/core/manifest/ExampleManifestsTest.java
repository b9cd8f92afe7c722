package io.sensorfleet.core.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The example manifests shipped in {@code conf/instruments/} must stay valid as the parser evolves. */
class ExampleManifestsTest {

  /** Surefire runs with the module directory as the working directory. */
  static final Path DIR = Path.of("..", "conf", "instruments");

  static List<Path> example_manifests() throws IOException {
    assertTrue(Files.isDirectory(DIR), "example manifests directory is missing: " + DIR.toAbsolutePath());
    try (Stream<Path> files = Files.list(DIR)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void there_are_example_manifests() throws IOException {
    assertFalse(example_manifests().isEmpty(), "no *.yaml in " + DIR.toAbsolutePath());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void example_manifests(Path file) {
    var manifest = ManifestParser.parseOrThrow(file);
    assertEquals(manifest.id() + ".yaml", file.getFileName().toString(), "a manifest's file is named after its id");
  }
}
