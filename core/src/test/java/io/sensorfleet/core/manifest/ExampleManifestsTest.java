package io.sensorfleet.core.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The manifests shipped in {@code conf/instruments/} and {@code conf/demo/} must stay valid as the parser evolves. */
class ExampleManifestsTest {

  /** Surefire runs with the module directory as the working directory. */
  static final List<Path> DIRS = List.of(Path.of("..", "conf", "instruments"), Path.of("..", "conf", "demo"));

  static List<Path> example_manifests() throws IOException {
    var manifests = new ArrayList<Path>();
    for (Path dir : DIRS) {
      assertTrue(Files.isDirectory(dir), "example manifests directory is missing: " + dir.toAbsolutePath());
      try (Stream<Path> files = Files.list(dir)) {
        files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().forEach(manifests::add);
      }
    }
    return manifests;
  }

  @Test
  void there_are_example_manifests_in_each_directory() throws IOException {
    for (Path dir : DIRS) {
      assertFalse(example_manifests().stream().noneMatch(f -> f.getParent().equals(dir)),
          "no *.yaml in " + dir.toAbsolutePath());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void example_manifests(Path file) {
    var manifest = ManifestParser.parseOrThrow(file);
    assertEquals(manifest.id() + ".yaml", file.getFileName().toString(), "a manifest's file is named after its id");
  }
}
