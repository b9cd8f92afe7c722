package io.sensorfleet.sdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TextsTest {

  @Test
  void fit_keeps_short_text_as_it_is() {
    assertEquals("interface mirror0 does not exist", Texts.fit("interface mirror0 does not exist"));
  }

  @Test
  void fit_cuts_long_text_to_the_protocols_limit() {
    assertEquals(Texts.MAX_TEXT, Texts.fit("x".repeat(5000)).length());
  }

  @Test
  void fit_does_not_split_a_surrogate_pair_at_the_limit() {
    String text = "x".repeat(Texts.MAX_TEXT - 1) + "\uD83D\uDE00";

    assertEquals("x".repeat(Texts.MAX_TEXT - 1), Texts.fit(text));
  }

  @Test
  void fit_replaces_unpaired_surrogates() {
    assertEquals("a\ufffdb", Texts.fit("a\uD800b"));
  }

  @Test
  void forLog_escapes_line_breaks_and_escape_characters() {
    assertEquals("a\\u000abad\\u001b[2J", Texts.forLog("a\nbad\u001b[2J"));
  }
}
