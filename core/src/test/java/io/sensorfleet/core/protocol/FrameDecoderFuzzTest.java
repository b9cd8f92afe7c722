package io.sensorfleet.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.Optional;

/**
 * Properties of the decoder on arbitrary bytes. In a normal build (no {@code JAZZER_FUZZ}) it replays the inputs
 * under {@code src/test/resources/.../FrameDecoderFuzzTestInputs}; with {@code JAZZER_FUZZ=1} it fuzzes for
 * {@code maxDuration} (see docs/protocol.md, "Fuzzing").
 */
class FrameDecoderFuzzTest {

  private static final FrameCodec STANDARD = FrameCodec.standard();
  /** Small limits, so short inputs reach the size, payload and depth checks too. */
  private static final FrameCodec TIGHT = FrameCodec.withLimits(new FrameLimits(256, 128, 4));
  /** Jackson alone, for each codec: the fast path must read every input exactly as it does. */
  private static final FrameDecoder JACKSON_STANDARD = new FrameDecoder(STANDARD.limits(), false);
  private static final FrameDecoder JACKSON_TIGHT = new FrameDecoder(TIGHT.limits(), false);
  private static final PayloadScanner PAYLOAD_JACKSON = new PayloadScanner(FrameLimits.DEFAULT, false);

  @FuzzTest(maxDuration = "10s")
  @DictionaryEntries({
      "\"type\"", "\"id\"", "\"re\"", "\"hello\"", "\"welcome\"", "\"config\"", "\"config-ack\"", "\"config-reject\"",
      "\"health-query\"", "\"health-report\"", "\"retention-enforce\"", "\"retention-report\"", "\"send\"",
      "\"deliver\"", "\"publish\"", "\"subscribe\"", "\"unsubscribe\"", "\"event\"", "\"resource-available\"",
      "\"ack\"", "\"error\"", "\"bye\"", "\"versions\"", "\"instrument\"", "\"software\"", "\"version\"",
      "\"config_version\"", "\"reason\"", "\"status\"", "\"detail\"", "\"metrics\"", "\"cutoff\"",
      "\"deleted_files\"", "\"deleted_bytes\"", "\"remaining_bytes\"", "\"notes\"", "\"to\"", "\"from\"",
      "\"payload\"", "\"topic\"", "\"audience\"", "\"occurred_at\"", "\"name\"", "\"sha256\"", "\"size\"",
      "\"location\"", "\"code\"", "\"message\"", "\"users\"", "\"instruments\"", "\"healthy\"", "\"degraded\"",
      "\"failed\"", "\"2026-11-22T10:15:30Z\"", "\"ids\"", "\"passive-dns\"", "9007199254740991", "true", "false",
      "null", "\\ud83d\\ude00", "\\u0000", "[[[[", "]]]]"})
  void decoding_never_throws_and_decoded_frames_survive_a_round_trip(byte[] input) {
    checkCodec(STANDARD, input);
    checkCodec(TIGHT, input);
    checkPayload(input);
  }

  private static void checkCodec(FrameCodec codec, byte[] input) {
    DecodeResult result = codec.decode(input);
    assertEquals((codec == STANDARD ? JACKSON_STANDARD : JACKSON_TIGHT).decode(input, 0, input.length), result);
    switch (result) {
      case DecodeResult.Rejected rejected -> checkRejection(rejected);
      case DecodeResult.Decoded decoded -> {
        byte[] encoded;
        try {
          encoded = codec.encode(decoded.frame());
        } catch (IllegalArgumentException tooLarge) {
          // Defaults the sender left out (e.g. "ack":false) can push a frame at the limit just over it.
          assertTrue(input.length > codec.limits().maxFrameBytes() - 64, tooLarge.getMessage());
          return;
        }
        assertOneLine(encoded);
        assertEquals(decoded, codec.decode(encoded, 0, encoded.length - 1));
      }
    }
  }

  /** A refusal must be one we designed: never INTERNAL (which hides a decoder bug), always sendable back. */
  private static void checkRejection(DecodeResult.Rejected rejected) {
    assertNotEquals(ErrorCode.INTERNAL, rejected.code(), rejected.message());
    assertTrue(rejected.message().matches("[\\x20-\\x7e]{1,300}"), rejected.message());
    byte[] error = STANDARD.encode(rejected.toErrorFrame());
    assertEquals(new DecodeResult.Decoded(rejected.toErrorFrame()), STANDARD.decode(error, 0, error.length - 1));
  }

  /** Whatever RawJson accepts must travel in a frame unchanged. */
  private static void checkPayload(byte[] input) {
    String jacksonAlone;
    try {
      jacksonAlone = PAYLOAD_JACKSON.scanStandalone(input).asString();
    } catch (IllegalArgumentException refused) {
      jacksonAlone = "refused: " + refused.getMessage();
    }
    RawJson payload;
    try {
      payload = RawJson.of(input);
    } catch (IllegalArgumentException refused) {
      assertEquals(jacksonAlone, "refused: " + refused.getMessage());
      return;
    }
    assertEquals(jacksonAlone, payload.asString());
    var send = new Frame.Send(Optional.empty(), SampleFrames.IDS, false, payload);
    byte[] encoded = STANDARD.encode(send);
    assertOneLine(encoded);
    assertEquals(new DecodeResult.Decoded(send), STANDARD.decode(encoded, 0, encoded.length - 1));
  }

  private static void assertOneLine(byte[] encoded) {
    int firstLineFeed = -1;
    for (int i = 0; i < encoded.length && firstLineFeed < 0; i++) {
      if (encoded[i] == '\n') {
        firstLineFeed = i;
      }
    }
    assertEquals(encoded.length - 1, firstLineFeed, () -> Arrays.toString(encoded));
  }
}
