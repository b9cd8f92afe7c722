package io.sensorfleet.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RawJsonTest {

  @Test
  void values_with_the_same_bytes_are_equal() {
    assertEquals(RawJson.of("{\"a\":1}"), RawJson.of("{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
    assertEquals(RawJson.of("{\"a\":1}").hashCode(), RawJson.of("{\"a\":1}").hashCode());
  }

  @Test
  void the_same_json_with_other_whitespace_is_another_value() {
    assertNotEquals(RawJson.of("{\"a\":1}"), RawJson.of("{\"a\": 1}"));
  }

  @Test
  void later_changes_to_the_source_array_do_not_leak_in() {
    byte[] source = "[1]".getBytes(StandardCharsets.UTF_8);
    RawJson raw = RawJson.of(source);
    source[1] = '2';
    assertEquals("[1]", raw.asString());
  }

  @Test
  void changes_to_a_returned_array_do_not_leak_in() {
    RawJson raw = RawJson.of("[1]");
    raw.toByteArray()[1] = '2';
    assertEquals("[1]", raw.asString());
  }

  @Test
  void the_buffer_view_is_read_only() {
    assertTrue(RawJson.of("[1]").asReadOnlyBuffer().isReadOnly());
  }

  @Test
  void to_string_shows_the_start_of_a_long_value_and_its_size() {
    String text = RawJson.of("\"" + "é".repeat(100) + "\"").toString();
    assertTrue(text.startsWith("\"éé"), text);
    assertTrue(text.endsWith("...(202 bytes)"), text);
    assertFalse(text.contains("\ufffd"), text);
  }

  @Test
  void drops_whitespace_around_the_value() {
    assertEquals("{\"a\":1}", RawJson.of(" \t{\"a\":1}\n ").asString());
  }

  @Test
  void drops_whitespace_after_a_number() {
    assertEquals("233", RawJson.of("233 ").asString());
  }

  @Test
  void turns_line_breaks_between_tokens_into_spaces() {
    assertEquals("{    \"a\": [1,   2] }", RawJson.of("{\r\n  \"a\": [1,\n  2]\n}").asString());
  }

  @Test
  void accepts_scalars() {
    assertEquals("true", RawJson.of("true").asString());
    assertFalse(RawJson.of("\"x\"").isObject());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "{", "{\"a\":}", "{'a':1}", "[1,]", "NaN", "{} {}", "1 2", "\uFEFF{}", "{\"a\":\"\u0001\"}",
      "// c\n{}", "{\"a\":1}x", "null", " null "})
  void refuses_anything_but_one_valid_json_value(String json) {
    assertThrows(IllegalArgumentException.class, () -> RawJson.of(json));
  }

  @Test
  void refuses_nesting_deeper_than_a_frame_can_carry() {
    int levels = FrameLimits.DEFAULT.maxDepth();
    assertThrows(IllegalArgumentException.class, () -> RawJson.of("[".repeat(levels) + "]".repeat(levels)));
  }

  @Test
  void accepts_nesting_one_below_the_frame_depth() {
    int levels = FrameLimits.DEFAULT.maxDepth() - 1;
    assertEquals(2 * levels, RawJson.of("[".repeat(levels) + "]".repeat(levels)).length());
  }

  @Test
  void refuses_invalid_utf8() {
    byte[] bad = {'"', (byte) 0xc3, '"'};
    assertThrows(IllegalArgumentException.class, () -> RawJson.of(bad));
  }

  @Test
  void refuses_a_value_larger_than_a_payload_may_be() {
    String big = "\"" + "x".repeat(FrameLimits.DEFAULT.maxPayloadBytes()) + "\"";
    assertThrows(IllegalArgumentException.class, () -> RawJson.of(big));
  }
}
