package io.sensorfleet.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decoder's fast path ({@link EnvelopeScanner}) against Jackson's reading of the same line: the results (frame, or
 * code, message and echoed id of the refusal) must be identical on any input, and the fast path must really be taken
 * for the bus's frames.
 */
class EnvelopeScannerTest {

  private static final FrameLimits TIGHT = new FrameLimits(256, 128, 4);
  private static final FrameDecoder FAST = new FrameDecoder(FrameLimits.DEFAULT, true);
  private static final FrameDecoder JACKSON = new FrameDecoder(FrameLimits.DEFAULT, false);
  private static final FrameDecoder FAST_TIGHT = new FrameDecoder(TIGHT, true);
  private static final FrameDecoder JACKSON_TIGHT = new FrameDecoder(TIGHT, false);

  private static final PayloadScanner PAYLOAD_FAST = new PayloadScanner(FrameLimits.DEFAULT, true);
  private static final PayloadScanner PAYLOAD_JACKSON = new PayloadScanner(FrameLimits.DEFAULT, false);

  private static final String SEND = "{\"type\":\"send\",\"id\":\"m1\",\"to\":\"ids\",\"payload\":";

  @Test
  void bus_frames_take_the_fast_path() {
    for (String line : List.of(
        SEND + "{\"t\":\"0123\",\"p\":\"xxxx\"}}",
        "{\"type\":\"send\",\"to\":\"ids\",\"ack\":true,\"id\":\"a-1\",\"payload\":[1,-2.5e3,true,false,null,{}]}",
        "{\"type\":\"deliver\",\"from\":\"passive-dns\",\"payload\":{\"q\":\"caf\u00e9 \\\"quoted\\\" \\u00e9\"}}",
        "{\"type\":\"publish\",\"topic\":\"dns.queries\",\"audience\":\"instruments\",\"payload\":\"text\"}",
        " { \"type\" : \"send\" , \"to\" : \"ids\" , \"payload\" : { \"a\" : [ 1 , 2 ] } } \r")) {
      Envelope envelope = envelope(line);
      assertTrue(EnvelopeScanner.read(envelope, bytes(line), 0, bytes(line).length, FrameLimits.DEFAULT.maxDepth()),
          line);
      assertInstanceOf(DecodeResult.Decoded.class, FAST.decode(bytes(line), 0, bytes(line).length), line);
    }
  }

  @Test
  void every_sample_frame_decodes_the_same_either_way() {
    for (Frame frame : SampleFrames.all()) {
      byte[] line = FrameCodec.standard().encode(frame);
      assertSame(Arrays.copyOf(line, line.length - 1));
    }
  }

  static Stream<Arguments> cornerCases() {
    List<String> lines = new ArrayList<>();
    for (String p : PAYLOADS) {
      lines.add(SEND + p + "}");
      lines.add("{\"type\":\"config\",\"id\":\"c1\",\"version\":" + p + ",\"config\":{}}");
      lines.add("{\"type\":\"bye\",\"x\":" + p + "}");
    }
    lines.addAll(LINES);
    return lines.stream().map(Arguments::of);
  }

  static Stream<Arguments> payloadCornerCases() {
    List<String> inputs = new ArrayList<>(PAYLOADS);
    for (String p : List.of("1", "{\"a\":[1]}", "\"s\"", "true", "null", "-0.5e1")) {
      inputs.addAll(List.of(" " + p, p + " ", "\n" + p + "\r\n", p + " " + p, p + "x", "\t" + p + "\t"));
    }
    inputs.addAll(List.of("", " ", "\n", "{\n\"a\":\n1\n}", "[1,\r\n2]", "\"a\nb\""));
    return inputs.stream().map(Arguments::of);
  }

  private static final List<String> PAYLOADS = List.of(
        // numbers
        "0", "-0", "1", "-1", "01", "-01", "00", "1.", ".1", "1.5", "-1.5e3", "1e5", "1E+5", "1e-5", "1e", "1e+",
        "1.e5", "-", "+1", "1x", "0x10", "1.5.5", "9007199254740993", "123456789012345678901234567890", "[1,2]",
        "[1 ,2 ]", "[-]", "[0]", "[01]", "[1e]", "{\"a\":1.0}", "[1true]",
        // literals
        "true", "false", "null", "tru", "truex", "nul", "nulll", "falsey", "True", "[true,false,null]", "[truefalse]",
        // strings
        "\"\"", "\"a\"", "\"\\\"\"", "\"\\\\\"", "\"\\/\"", "\"\\b\\f\\n\\r\\t\"", "\"\\u00e9\"", "\"\\uD83D\\uDE00\"",
        "\"\\ud800\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\x\"", "\"\\'\"", "\"a\tb\"", "\"a\u0001b\"", "\"\u007f\"",
        "\"caf\u00e9\"", "\"\uD83D\uDE00\"", "\"unterminated", "\"\\", "\"\\u",
        // structures
        "{}", "[]", "{ }", "[ ]", "{\"a\":}", "{\"a\"}", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "[,1]", "{,}", "[[]]",
        "[{}]", "{\"a\":{\"b\":[{}]}}", "{\"a\":1}}", "[1]]", "{\"a\":1]", "[1}", "{1:2}", "{'a':1}", "{a:1}",
        "[", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "[1", "[1,", "/* c */ 1", "NaN", "Infinity", "-Infinity",
        "{\"a\":1,\"a\":2}", "{\"\":1}", "[\"\\u0000\"]");

  private static final List<String> LINES = List.of(
        "", " ", "{}", "{ }", "{\"type\":\"bye\"}", "{\"type\":\"bye\"} ", "{\"type\":\"bye\"}x", "{\"type\":\"bye\"}{}",
        "{\"type\":\"bye\",}", "{\"type\":\"bye\" \"x\":1}", "{\"type\" : \"bye\" , \"reason\" : \"r\"}",
        "{\"type\":\"bye\",\"reason\":\"a\\\"b\"}", "{\"ty\\u0070e\":\"bye\"}", "{\"caf\u00e9\":1,\"type\":\"bye\"}",
        "{\"type\":\"bye\",\"type\":\"bye\"}", "{\"id\":\"q1\",\"type\":\"health-query\",\"id\":\"q2\"}",
        "{\"type\":\"health-query\",\"id\":\"q1\"", "{\"type\":\"health-query\",\"id\":\"q1\",",
        "{\"type\":\"health-query\",\"id\":null}", "{\"type\":\"send\",\"to\":\"ids\",\"payload\":null}",
        "{\"type\":\"send\",\"to\":\"ids\",\"ack\":true,\"payload\":1}", "{\"type\":\"teleport\",\"id\":\"t1\"}",
        "[{\"type\":\"bye\"}]", "\"bye\"", "42", "null", "{\"type\":\"bye\"}\r", "\t{\"type\":\"bye\"}\t",
        "{\"type\":\"bye\"}\u00a0", "{\"type\":\"hello\",\"id\":\"h1\",\"versions\":[1,2],\"instrument\":\"ids\","
            + "\"software\":\"x\"}", "{\"type\":\"hello\",\"id\":\"h1\",\"versions\":[1.0],\"instrument\":\"ids\","
            + "\"software\":\"x\"}",
        // names one byte off the bus frames' own, and a known name close to the end of the line
        "{\"type\":\"send\",\"tO\":\"ids\",\"payload\":1}", "{\"type\":\"send\",\"to\":\"ids\",\"payloaD\":1}",
        "{\"typE\":\"bye\"}", "{\"type\":\"send\",\"to\":\"ids\",\"ack\":true,\"ic\":\"a\",\"payload\":1}",
        "{\"type\":\"publish\",\"topic\":\"t\",\"audiencf\":\"users\",\"payload\":1}", "{\"type\":\"bye\",\"to\":1}");

  @ParameterizedTest
  @MethodSource("cornerCases")
  void json_corner_cases_decode_the_same_either_way(String line) {
    assertSame(bytes(line));
  }

  @ParameterizedTest
  @MethodSource("payloadCornerCases")
  void payloads_built_by_programs_are_read_the_same_either_way(String json) {
    assertSamePayload(bytes(json));
  }

  @Test
  void payloads_nested_at_and_over_the_limit_are_read_the_same_either_way() {
    int max = FrameLimits.DEFAULT.maxDepth();
    for (int levels = max - 3; levels <= max + 1; levels++) {
      assertSamePayload(bytes("[".repeat(levels) + "]".repeat(levels)));
    }
  }

  @Test
  void mutated_payloads_are_read_the_same_either_way() {
    byte[] alphabet = bytes("{}[]\":,\\ tfn0123456789.-+eEu\t\r\n\u0001x/");
    byte[] seed = bytes(" {\"t\":\"0123\",\"p\":[1,-2.5e3,true,false,null,{\"k\":\"\\u00e9\\n caf\u00e9\"}]}\n");
    SplittableRandom random = new SplittableRandom(4);
    for (int n = 0; n < 20_000; n++) {
      assertSamePayload(mutated(seed, alphabet, random));
    }
  }

  @Test
  void nesting_at_and_over_the_limit_decodes_the_same_either_way() {
    int max = FrameLimits.DEFAULT.maxDepth();
    for (int levels = max - 3; levels <= max + 2; levels++) {
      assertSame(bytes(SEND + "[".repeat(levels) + "]".repeat(levels) + "}"));
      assertSame(bytes(SEND + "{\"a\":".repeat(levels) + "1" + "}".repeat(levels) + "}"));
    }
    FrameLimits flattest = new FrameLimits(256, 128, 2);
    for (int levels = 0; levels <= 6; levels++) {
      byte[] line = bytes(SEND + "[".repeat(levels) + "1" + "]".repeat(levels) + "}");
      assertEquals(JACKSON_TIGHT.decode(line, 0, line.length), FAST_TIGHT.decode(line, 0, line.length));
      assertEquals(new FrameDecoder(flattest, false).decode(line, 0, line.length),
          new FrameDecoder(flattest, true).decode(line, 0, line.length));
    }
  }

  @Test
  void a_special_byte_at_every_position_of_a_long_string_decodes_the_same_either_way() {
    for (String special : List.of("\\\"", "\\u00e9", "\\x", "\"", "\u0001", "\t", "\u00e9", "\\")) {
      for (int at = 0; at < 20; at++) {
        String text = "y".repeat(at) + special + "y".repeat(20 - at);
        assertSame(bytes(SEND + "{\"k\":\"" + text + "\"}}"));
        assertSame(bytes("{\"type\":\"bye\",\"reason\":\"" + text + "\"}"));
      }
    }
  }

  @Test
  void many_fields_and_a_late_duplicate_decode_the_same_either_way() {
    StringBuilder fields = new StringBuilder();
    for (int k = 0; k < 40; k++) {
      fields.append(",\"x").append(k).append("\":").append(k);
    }
    byte[] many = bytes("{\"type\":\"bye\"" + fields + ",\"reason\":\"r\"}");
    assertInstanceOf(DecodeResult.Decoded.class, assertSame(many));
    byte[] duplicate = bytes("{\"type\":\"bye\"" + fields + ",\"x3\":0}");
    assertEquals(ErrorCode.DUPLICATE_FIELD,
        assertInstanceOf(DecodeResult.Rejected.class, assertSame(duplicate)).code());
  }

  @Test
  void oversized_payloads_are_refused_the_same_either_way() {
    String big = "\"" + "x".repeat(FrameLimits.DEFAULT.maxPayloadBytes()) + "\"";
    byte[] line = bytes(SEND + big + "}");
    DecodeResult result = assertSame(line);
    assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, assertInstanceOf(DecodeResult.Rejected.class, result).code());
  }

  /**
   * Seeded random edits of real frames (a byte replaced by a JSON-significant one, deleted, duplicated, or the line
   * cut): every one must decode the same either way. Fuzzing (FrameDecoderFuzzTest) does the same unseeded.
   */
  @Test
  void mutated_frames_decode_the_same_either_way() {
    byte[] alphabet = bytes("{}[]\":,\\ tfn0123456789.-+eEu\t\r\u0001x/");
    List<byte[]> seeds = new ArrayList<>();
    for (Frame frame : SampleFrames.all()) {
      byte[] line = FrameCodec.standard().encode(frame);
      seeds.add(Arrays.copyOf(line, line.length - 1));
    }
    seeds.add(bytes(SEND + "{\"t\":\"0123\",\"p\":[1,-2.5e3,true,false,null,{\"k\":\"\\u00e9\\n\"}]}}"));
    SplittableRandom random = new SplittableRandom(20261204);
    int fastAccepted = 0;
    for (int n = 0; n < 60_000; n++) {
      byte[] line = mutated(seeds.get(random.nextInt(seeds.size())), alphabet, random);
      assertSame(line);
      if (EnvelopeScanner.read(envelope(line), line, 0, line.length, FrameLimits.DEFAULT.maxDepth())) {
        fastAccepted++;
      }
    }
    // Many edits leave valid JSON (e.g. a changed digit or letter): the comparison covered accepted lines too.
    assertTrue(fastAccepted > 5_000, "only " + fastAccepted + " mutated lines took the fast path");
  }

  /**
   * The fast path checks the bytes itself (no separate {@link Utf8Scan} pass before it): NUL, line feed, BOM, and
   * bytes that start, continue or break UTF-8 sequences (overlong, surrogate, above U+10FFFF, truncated) put into
   * strings, names, whitespace and everywhere else must be refused exactly as the byte check and Jackson refuse them.
   */
  @Test
  void mutated_bytes_that_are_not_plain_ascii_decode_the_same_either_way() {
    byte[] alphabet = {0x00, '\n', (byte) 0xef, (byte) 0xbb, (byte) 0xbf, (byte) 0x80, (byte) 0xc0, (byte) 0xc1,
        (byte) 0xc2, (byte) 0xc3, (byte) 0xa9, (byte) 0xe0, (byte) 0xed, (byte) 0xa0, (byte) 0x9f, (byte) 0xf0,
        (byte) 0x90, (byte) 0xf4, (byte) 0x8f, (byte) 0xf5, (byte) 0xff, ' ', '"', '\\', 'x'};
    List<byte[]> seeds = List.of(
        bytes(SEND + "{\"t\":\"h\u00e9llo \u20ac \ud83d\ude00 w\u00f6rld\",\"p\":[\"\u00fc\u00fc\u00fc\u00fc\u00fc\u00fc\u00fc\u00fc\"]}}"),
        bytes(" { \"type\" : \"send\" , \"id\" : \"m1\" , \"to\" : \"ids\" , \"payload\" : { \"k\" : [ 1 , \"\u00e9\" ] } } "),
        bytes("{\"type\":\"bye\",\"reason\":\"\u00e9t\u00e9 \u4e2d\u6587 \ud83d\ude00 long enough for the eight-byte loop\"}"));
    for (byte[] seed : seeds) {
      assertInstanceOf(DecodeResult.Decoded.class, assertSame(seed), "the seed itself is valid");
      assertTrue(EnvelopeScanner.read(envelope(seed), seed, 0, seed.length, FrameLimits.DEFAULT.maxDepth()),
          () -> "non-ASCII text keeps the fast path: " + new String(seed, StandardCharsets.UTF_8));
    }
    SplittableRandom random = new SplittableRandom(20261205);
    for (int n = 0; n < 30_000; n++) {
      assertSame(mutated(seeds.get(random.nextInt(seeds.size())), alphabet, random));
    }
  }

  @Test
  void a_line_inside_a_larger_buffer_decodes_the_same_either_way() {
    byte[] buffer = bytes("garbage{\"x\":1}" + SEND + "{\"a\":[1,2]}}" + "{\"more\":");
    int offset = "garbage{\"x\":1}".length();
    int length = (SEND + "{\"a\":[1,2]}}").length();
    DecodeResult fast = FAST.decode(buffer, offset, length);
    assertEquals(JACKSON.decode(buffer, offset, length), fast);
    assertInstanceOf(DecodeResult.Decoded.class, fast);
  }

  @Test
  void a_refused_line_leaves_the_fast_path_and_is_read_by_jackson() {
    byte[] line = bytes(SEND + "{\"a\":}}");
    assertFalse(EnvelopeScanner.read(envelope(line), line, 0, line.length, FrameLimits.DEFAULT.maxDepth()));
    DecodeResult.Rejected rejected = assertInstanceOf(DecodeResult.Rejected.class, FAST.decode(line, 0, line.length));
    assertEquals(ErrorCode.MALFORMED_JSON, rejected.code());
    assertEquals("m1", rejected.correlationId().orElseThrow());
  }

  private static DecodeResult assertSame(byte[] line) {
    DecodeResult expected = JACKSON.decode(line, 0, line.length);
    DecodeResult actual = FAST.decode(line, 0, line.length);
    assertEquals(expected, actual, () -> "line: " + new String(line, StandardCharsets.UTF_8));
    assertEquals(JACKSON_TIGHT.decode(line, 0, line.length), FAST_TIGHT.decode(line, 0, line.length),
        () -> "tight limits, line: " + new String(line, StandardCharsets.UTF_8));
    return actual;
  }

  /** RawJson.of's scanner with and without the fast path: the same value, or the same refusal. */
  private static void assertSamePayload(byte[] json) {
    String expected;
    try {
      expected = "ok " + PAYLOAD_JACKSON.scanStandalone(json).asString();
    } catch (IllegalArgumentException e) {
      expected = "refused " + e.getMessage();
    }
    String actual;
    try {
      actual = "ok " + PAYLOAD_FAST.scanStandalone(json).asString();
    } catch (IllegalArgumentException e) {
      actual = "refused " + e.getMessage();
    }
    assertEquals(expected, actual, () -> "payload: " + new String(json, StandardCharsets.UTF_8));
  }

  private static Envelope envelope(String line) {
    return envelope(bytes(line));
  }

  private static Envelope envelope(byte[] line) {
    return new Envelope(line, 0, FrameLimits.DEFAULT,
        JsonSupport.factory(FrameLimits.DEFAULT.maxDepth(), FrameLimits.DEFAULT.maxFrameBytes()));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code seed} after 1-3 random edits: a byte replaced (from {@code alphabet}), dropped, doubled, or a cut. */
  private static byte[] mutated(byte[] seed, byte[] alphabet, SplittableRandom random) {
    byte[] line = seed.clone();
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits && line.length > 0; e++) {
      int at = random.nextInt(line.length);
      switch (random.nextInt(4)) {
        case 0 -> line[at] = alphabet[random.nextInt(alphabet.length)];
        case 1 -> line = concat(Arrays.copyOf(line, at), Arrays.copyOfRange(line, at + 1, line.length));
        case 2 -> line = concat(Arrays.copyOf(line, at + 1), Arrays.copyOfRange(line, at, line.length));
        default -> line = Arrays.copyOf(line, at);
      }
    }
    return line;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
