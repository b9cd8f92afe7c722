package io.sensorfleet.core.manifest;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * {@link ManifestParser#parse(String)} promises never to throw on bad input. In a normal build this runs the
 * seeds under {@code ManifestParserFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class ManifestParserFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void parse_never_throws(byte[] input) {
    assertNotNull(ManifestParser.parse(new String(input, StandardCharsets.UTF_8)));
  }
}
