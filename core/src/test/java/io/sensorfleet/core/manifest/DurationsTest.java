package io.sensorfleet.core.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
      "30d,     PT720H",
      "12h,     PT12H",
      "90m,     PT1H30M",
      "10s,     PT10S",
      "500ms,   PT0.5S",
      "0s,      PT0S",
      "P30D,    PT720H",
      "PT1H30M, PT1H30M",
      "PT0.25S, PT0.25S",
  })
  void parses_short_and_iso_forms(String text, String iso) {
    assertEquals(Duration.parse(iso), Durations.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10", "10 s", "1h30m", "1.5h", "-10s", "10S", "10sec", "P1M", "P1Y", "PT-1S", "-PT1S",
      "P", "d", "1w"})
  void rejects_everything_else(String text) {
    assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
  }

  @ParameterizedTest(name = "{0} prints as {1}")
  @CsvSource({"PT720H, 30d", "PT1H30M, 90m", "PT10S, 10s", "PT0.5S, 500ms", "PT0S, 0ms"})
  void prints_the_shortest_exact_short_form(String iso, String text) {
    assertEquals(text, Durations.format(Duration.parse(iso)));
  }
}
