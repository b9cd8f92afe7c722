package io.sensorfleet.core.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FrameCodecRoundTripTest {

  private static final FrameCodec CODEC = FrameCodec.standard();

  static List<Frame> samples() {
    return SampleFrames.all();
  }

  private static DecodeResult decode(String line) {
    return CODEC.decode(line.getBytes(StandardCharsets.UTF_8));
  }

  private static Frame decoded(String line) {
    DecodeResult result = decode(line);
    if (result instanceof DecodeResult.Decoded(Frame frame)) {
      return frame;
    }
    throw new AssertionError("expected a frame, got " + result);
  }

  /** The encoded line without its line feed, as a framing layer hands it to the decoder. */
  private static byte[] line(Frame frame) {
    byte[] encoded = CODEC.encode(frame);
    return java.util.Arrays.copyOf(encoded, encoded.length - 1);
  }

  @ParameterizedTest
  @MethodSource("samples")
  void every_frame_decodes_to_itself_after_encoding(Frame frame) {
    assertEquals(new DecodeResult.Decoded(frame), CODEC.decode(line(frame)));
  }

  @ParameterizedTest
  @MethodSource("samples")
  void an_encoded_frame_is_one_line_ending_in_a_line_feed(Frame frame) {
    String text = new String(CODEC.encode(frame), StandardCharsets.UTF_8);
    assertTrue(text.endsWith("\n"), text);
    assertEquals(text.length() - 1, text.indexOf('\n'), text);
  }

  @Test
  void the_samples_cover_every_frame_type() {
    Set<FrameType> covered = samples().stream().map(Frame::type).collect(Collectors.toSet());
    assertEquals(EnumSet.allOf(FrameType.class), covered);
  }

  @Test
  void encodes_type_first_then_the_correlation_id_and_the_payload_last() {
    var send = new Frame.Send(Optional.of("m1"), SampleFrames.PASSIVE_DNS, true, RawJson.of("{\"q\":\"example.org\"}"));
    assertEquals("{\"type\":\"send\",\"id\":\"m1\",\"to\":\"passive-dns\",\"ack\":true,\"payload\":{\"q\":\"example.org\"}}\n",
        new String(CODEC.encode(send), StandardCharsets.UTF_8));
  }

  @Test
  void keeps_payload_bytes_exactly_as_received_including_whitespace() {
    String payload = "{ \"a\" :\t[1,  2.50, \"\\u00e9\\n\" ] ,\"b\":{}\r}";
    var frame = (Frame.Deliver) decoded("{\"type\":\"deliver\",\"from\":\"ids\",\"payload\":" + payload + "  }");
    assertArrayEquals(payload.getBytes(StandardCharsets.UTF_8), frame.payload().toByteArray());
  }

  @Test
  void writes_payload_bytes_verbatim_into_the_encoded_frame() {
    String payload = "{ \"a\" :\t[1,  2.50, \"\\u00e9\" ] }";
    String encoded = new String(CODEC.encode(new Frame.Deliver(SampleFrames.IDS, RawJson.of(payload))),
        StandardCharsets.UTF_8);
    assertEquals("{\"type\":\"deliver\",\"from\":\"ids\",\"payload\":" + payload + "}\n", encoded);
  }

  @Test
  void ignores_unknown_fields_of_any_json_type() {
    Frame frame = decoded("{\"type\":\"subscribe\",\"x-trace\":\"abc\",\"id\":\"s1\",\"future\":{\"a\":[1,{\"b\":null}]},"
        + "\"n\":1e400,\"list\":[],\"flag\":false,\"nothing\":null,\"topic\":\"dns.queries\"}");
    assertEquals(new Frame.Subscribe("s1", Topic.of("dns.queries")), frame);
  }

  @Test
  void ignores_known_field_names_that_the_frame_type_does_not_use() {
    Frame frame = decoded("{\"type\":\"health-query\",\"id\":\"q1\",\"payload\":[1],\"to\":7,\"re\":{}}");
    assertEquals(new Frame.HealthQuery("q1"), frame);
  }

  @Test
  void accepts_fields_in_any_order() {
    Frame frame = decoded("{\"payload\":{\"q\":1},\"to\":\"ids\",\"id\":\"m9\",\"type\":\"send\"}");
    assertEquals(new Frame.Send(Optional.of("m9"), SampleFrames.IDS, false, RawJson.of("{\"q\":1}")), frame);
  }

  @Test
  void treats_null_as_an_absent_optional_field() {
    Frame frame = decoded("{\"type\":\"health-report\",\"re\":null,\"status\":\"healthy\",\"detail\":null,"
        + "\"metrics\":null}");
    assertEquals(new Frame.HealthReport(Optional.empty(), HealthStatus.HEALTHY, "", Optional.empty()), frame);
  }

  @Test
  void tolerates_whitespace_and_a_carriage_return_around_the_object() {
    Frame frame = decoded(" \t{\"type\":\"bye\",\"reason\":\"done\"} \r");
    assertEquals(new Frame.Bye("done"), frame);
  }

  @Test
  void decodes_a_frame_inside_a_larger_buffer() {
    byte[] buffer = "xx{\"type\":\"ack\",\"re\":\"s1\"}\n{\"type\":".getBytes(StandardCharsets.UTF_8);
    assertEquals(new DecodeResult.Decoded(new Frame.Ack("s1")), CODEC.decode(buffer, 2, 24));
  }

  @Test
  void escapes_strings_minimally_and_reads_them_back() {
    var bye = new Frame.Bye("quote \" backslash \\ newline \n tab \t bell \u0007 é ☃ 😀 /");
    String encoded = new String(CODEC.encode(bye), StandardCharsets.UTF_8);
    assertEquals("{\"type\":\"bye\",\"reason\":\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007 é ☃ 😀 /\"}\n",
        encoded);
    assertEquals(bye, decoded(encoded.strip()));
  }

  @Test
  void reads_escaped_characters_in_envelope_strings() {
    Frame frame = decoded("{\"type\":\"bye\",\"reason\":\"\\u00e9\\ud83d\\ude00\\/\"}");
    assertEquals(new Frame.Bye("é😀/"), frame);
  }

  @Test
  void passes_an_unpaired_surrogate_escape_inside_a_payload_through_untouched() {
    String payload = "{\"s\":\"\\ud800\"}";
    var frame = (Frame.Deliver) decoded("{\"type\":\"deliver\",\"from\":\"ids\",\"payload\":" + payload + "}");
    assertEquals(payload, frame.payload().asString());
  }

  @Test
  void refuses_to_encode_a_frame_over_the_size_limit() {
    var codec = FrameCodec.withLimits(new FrameLimits(100, 100, 8));
    var send = new Frame.Send(Optional.empty(), SampleFrames.IDS, false, RawJson.of("\"" + "x".repeat(80) + "\""));
    assertThrows(IllegalArgumentException.class, () -> codec.encode(send));
  }

  @Test
  void accepts_a_payload_at_the_payload_limit_and_it_still_fits_in_a_deliver_or_event() {
    int max = FrameLimits.DEFAULT.maxPayloadBytes();
    RawJson payload = RawJson.of("\"" + "x".repeat(max - 2) + "\"");
    var event = new Frame.Event(Topic.of("a".repeat(64)), SampleFrames.IDS, Audience.INSTRUMENTS,
        SampleFrames.OCCURRED, payload);
    assertTrue(CODEC.encode(event).length - 1 <= FrameLimits.DEFAULT.maxFrameBytes());
  }
}
