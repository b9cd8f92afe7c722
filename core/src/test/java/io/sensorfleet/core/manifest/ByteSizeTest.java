package io.sensorfleet.core.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

  @ParameterizedTest(name = "{0} = {1} bytes")
  @CsvSource({
      "0,          0",
      "1048576,    1048576",
      "512MiB,     536870912",
      "2GiB,       2147483648",
      "100MB,      100000000",
      "64 KiB,     65536",
      "1KB,        1000",
      "1TiB,       1099511627776",
      "16TiB,      17592186044416",
      "7B,         7",
  })
  void parses_binary_decimal_and_plain_sizes(String text, long bytes) {
    assertEquals(bytes, ByteSize.parse(text).bytes());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "1.5GiB", "10mb", "10 mib", "MiB", "-1", "-1MiB", "1e6", "0x10", "10  MiB",
      "10MiB ", "1,000", "ten", "10PiB", "12iB"})
  void rejects_nonsense(String text) {
    var error = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
    assertTrue(error.getMessage().contains("is not a size"), error.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"17TiB", "17592186044417", "99999999999999999999", "9999999999TiB"})
  void rejects_sizes_above_16_tebibytes(String text) {
    var error = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
    assertTrue(error.getMessage().contains("larger than the maximum 16TiB"), error.getMessage());
  }

  @Test
  void rejects_a_negative_byte_count() {
    assertThrows(IllegalArgumentException.class, () -> ByteSize.ofBytes(-1));
  }

  @ParameterizedTest(name = "{0} prints as {1}")
  @CsvSource({"0, 0B", "536870912, 512MiB", "100000000, 100MB", "1536, 1536B", "1572864, 1536KiB", "1000, 1KB"})
  void prints_the_shortest_exact_spelling(long bytes, String text) {
    assertEquals(text, ByteSize.ofBytes(bytes).toString());
  }
}
