package io.sensorfleet.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MalformedFrameTest {

  private static final FrameCodec CODEC = FrameCodec.standard();
  private static final String SHA = "0".repeat(64);

  /**
   * Each row: what is wrong, the line, the expected code, the id the error must echo (null: none), and a piece of
   * text the message must contain (the field it names, or the kind of problem).
   */
  static Stream<Arguments> malformed() {
    return Stream.of(
        // Not JSON, or not a single JSON object.
        row("empty line", "", ErrorCode.MALFORMED_JSON, null, "empty"),
        row("whitespace only", "  \t ", ErrorCode.MALFORMED_JSON, null, "whitespace"),
        row("not JSON", "hello platform", ErrorCode.MALFORMED_JSON, null, "at byte 0"),
        row("long garbage token full of control characters", "f8" + "\u0014".repeat(300), ErrorCode.MALFORMED_JSON,
            null, "Unrecognized token 'f8\\u0014"),
        row("array at top level", "[{\"type\":\"bye\"}]", ErrorCode.NOT_AN_OBJECT, null, "array"),
        row("string at top level", "\"bye\"", ErrorCode.NOT_AN_OBJECT, null, "string"),
        row("number at top level", "42", ErrorCode.NOT_AN_OBJECT, null, "number"),
        row("null at top level", "null", ErrorCode.NOT_AN_OBJECT, null, "null"),
        row("truncated object", "{\"type\":\"health-query\",\"id\":\"q1\"", ErrorCode.MALFORMED_JSON, "q1", "ends"),
        row("missing colon", "{\"type\" \"bye\"}", ErrorCode.MALFORMED_JSON, null, "colon"),
        row("missing value", "{\"id\":\"q1\",\"type\":}", ErrorCode.MALFORMED_JSON, "q1", "at byte"),
        row("trailing comma", "{\"type\":\"bye\",}", ErrorCode.MALFORMED_JSON, null, "at byte"),
        row("comment", "{/* hi */\"type\":\"bye\"}", ErrorCode.MALFORMED_JSON, null, "comment"),
        row("single quotes", "{'type':'bye'}", ErrorCode.MALFORMED_JSON, null, "double-quote"),
        row("unquoted key", "{type:\"bye\"}", ErrorCode.MALFORMED_JSON, null, "at byte 1"),
        row("NaN", "{\"type\":\"config-ack\",\"re\":\"c1\",\"version\":NaN}", ErrorCode.MALFORMED_JSON, null, "NaN"),
        row("Infinity in a payload", "{\"type\":\"send\",\"id\":\"m1\",\"to\":\"ids\",\"payload\":[Infinity]}",
            ErrorCode.MALFORMED_JSON, "m1", "Infinity"),
        row("leading zero", "{\"type\":\"config-ack\",\"re\":\"c1\",\"version\":01}", ErrorCode.MALFORMED_JSON, null,
            "zero"),
        row("raw control character in a string", "{\"type\":\"bye\",\"reason\":\"a\u0001b\"}",
            ErrorCode.MALFORMED_JSON, null, "CTRL-CHAR"),
        row("syntax error inside a payload", "{\"type\":\"send\",\"id\":\"m1\",\"to\":\"ids\",\"payload\":{\"a\":}}",
            ErrorCode.MALFORMED_JSON, "m1", "at byte 51"),
        bytes("byte order mark", concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, "{\"type\":\"bye\"}"),
            ErrorCode.MALFORMED_JSON, null, "byte order mark"),
        bytes("NUL byte", concat("{\"id\":\"q1\",\"type\":\"bye\"", new byte[] {0}, "}"), ErrorCode.MALFORMED_JSON,
            "q1", "NUL"),
        bytes("UTF-16 encoded frame", utf16("{\"type\":\"bye\"}"), ErrorCode.MALFORMED_JSON, null, "NUL"),
        row("line feed inside the frame", "{\"type\":\"bye\",\n\"reason\":\"x\"}", ErrorCode.MALFORMED_JSON, null,
            "line feed"),
        // Bytes that are not UTF-8.
        bytes("invalid UTF-8 byte", concat("{\"id\":\"q1\",\"type\":\"bye\",\"reason\":\"", new byte[] {(byte) 0xff},
            "\"}"), ErrorCode.INVALID_UTF8, "q1", "at byte 34"),
        bytes("overlong UTF-8 encoding of '/'", concat("{\"type\":\"bye\",\"reason\":\"",
            new byte[] {(byte) 0xc0, (byte) 0xaf}, "\"}"), ErrorCode.INVALID_UTF8, null, "UTF-8"),
        bytes("UTF-8 encoded surrogate", concat("{\"type\":\"bye\",\"reason\":\"",
            new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, "\"}"), ErrorCode.INVALID_UTF8, null, "UTF-8"),
        bytes("code point above U+10FFFF", concat("{\"type\":\"bye\",\"reason\":\"",
            new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, "\"}"), ErrorCode.INVALID_UTF8, null,
            "UTF-8"),
        bytes("multi-byte character cut at the end", concat("{\"type\":\"bye\"}", new byte[] {(byte) 0xe2, (byte) 0x98}),
            ErrorCode.INVALID_UTF8, null, "at byte 14"),
        // More than one object.
        row("trailing garbage", "{\"type\":\"ack\",\"id\":\"a1\",\"re\":\"s1\"} x", ErrorCode.TRAILING_DATA, "a1",
            "after"),
        row("two objects on one line", "{\"type\":\"bye\"}{\"type\":\"bye\"}", ErrorCode.TRAILING_DATA, null, "after"),
        row("duplicate type", "{\"type\":\"bye\",\"type\":\"hello\"}", ErrorCode.DUPLICATE_FIELD, null, "'type'"),
        row("duplicate id echoes the first", "{\"id\":\"q1\",\"type\":\"health-query\",\"id\":\"q2\"}",
            ErrorCode.DUPLICATE_FIELD, "q1", "'id'"),
        row("duplicate unknown field", "{\"type\":\"bye\",\"x\":1,\"x\":2}", ErrorCode.DUPLICATE_FIELD, null, "'x'"),
        // Nesting.
        row("payload too deep", "{\"type\":\"send\",\"id\":\"m1\",\"to\":\"ids\",\"payload\":" + nested(64) + "}",
            ErrorCode.TOO_DEEP, "m1", "64 levels, at byte 110"),
        row("unknown field too deep", "{\"id\":\"q1\",\"x\":" + nested(200) + ",\"type\":\"health-query\"}",
            ErrorCode.TOO_DEEP, "q1", "64 levels"),
        // The type.
        row("missing type", "{\"id\":\"q1\"}", ErrorCode.MISSING_FIELD, "q1", "'type'"),
        row("type is null", "{\"type\":null,\"id\":\"q1\"}", ErrorCode.MISSING_FIELD, "q1", "'type'"),
        row("type is not a string", "{\"type\":7,\"id\":\"q1\"}", ErrorCode.INVALID_FIELD, "q1", "'type'"),
        row("unknown type", "{\"type\":\"teleport\",\"id\":\"t1\"}", ErrorCode.UNKNOWN_TYPE, "t1", "teleport"),
        row("type in the wrong case", "{\"type\":\"HELLO\",\"id\":\"h1\"}", ErrorCode.UNKNOWN_TYPE, "h1", "HELLO"),
        // Correlation ids.
        row("id is a number", "{\"type\":\"health-query\",\"id\":5}", ErrorCode.INVALID_FIELD, null, "'id'"),
        row("id is too long", "{\"type\":\"health-query\",\"id\":\"" + "a".repeat(65) + "\"}", ErrorCode.INVALID_FIELD,
            null, "'id'"),
        row("id has a space", "{\"type\":\"health-query\",\"id\":\"a b\"}", ErrorCode.INVALID_FIELD, null, "'id'"),
        row("request without its id", "{\"type\":\"health-query\"}", ErrorCode.MISSING_FIELD, null, "'id'"),
        row("reply without re", "{\"type\":\"config-ack\",\"version\":3}", ErrorCode.MISSING_FIELD, null, "'re'"),
        // hello / welcome.
        row("hello without versions", "{\"type\":\"hello\",\"id\":\"h1\",\"instrument\":\"ids\",\"software\":\"x\"}",
            ErrorCode.MISSING_FIELD, "h1", "'versions'"),
        row("hello versions not an array", hello("1"), ErrorCode.INVALID_FIELD, "h1", "'versions'"),
        row("hello versions empty", hello("[]"), ErrorCode.INVALID_FIELD, "h1", "'versions'"),
        row("hello version zero", hello("[0]"), ErrorCode.INVALID_FIELD, "h1", "'versions'"),
        row("hello version fractional", hello("[1.5]"), ErrorCode.INVALID_FIELD, "h1", "'versions'"),
        row("hello version as a string", hello("[\"1\"]"), ErrorCode.INVALID_FIELD, "h1", "'versions'"),
        row("hello version beyond 32 bits", hello("[4294967296]"), ErrorCode.INVALID_FIELD, "h1", "'versions'"),
        row("hello with 17 versions", hello("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]"), ErrorCode.INVALID_FIELD,
            "h1", "'versions'"),
        row("hello instrument id with capitals",
            "{\"type\":\"hello\",\"id\":\"h1\",\"versions\":[1],\"instrument\":\"Bad_ID\",\"software\":\"x\"}",
            ErrorCode.INVALID_FIELD, "h1", "'instrument'"),
        row("hello instrument id with a double dash",
            "{\"type\":\"hello\",\"id\":\"h1\",\"versions\":[1],\"instrument\":\"a--b\",\"software\":\"x\"}",
            ErrorCode.INVALID_FIELD, "h1", "'instrument'"),
        row("hello software with a control character",
            "{\"type\":\"hello\",\"id\":\"h1\",\"versions\":[1],\"instrument\":\"ids\",\"software\":\"x\\n\"}",
            ErrorCode.INVALID_FIELD, "h1", "'software'"),
        row("welcome version zero", "{\"type\":\"welcome\",\"re\":\"h1\",\"version\":0,\"instrument\":\"ids\"}",
            ErrorCode.INVALID_FIELD, null, "'version'"),
        row("welcome config without its version",
            "{\"type\":\"welcome\",\"re\":\"h1\",\"version\":1,\"instrument\":\"ids\",\"config\":{}}",
            ErrorCode.MISSING_FIELD, null, "'config_version'"),
        // config.
        row("config version negative", config("-1", "{}"), ErrorCode.INVALID_FIELD, "c1", "'version'"),
        row("config version zero", config("0", "{}"), ErrorCode.INVALID_FIELD, "c1", "'version'"),
        row("config version fractional", config("1.0", "{}"), ErrorCode.INVALID_FIELD, "c1", "'version'"),
        row("config version as a string", config("\"3\"", "{}"), ErrorCode.INVALID_FIELD, "c1", "'version'"),
        row("config version huge", config("123456789012345678901234567890", "{}"), ErrorCode.INVALID_FIELD, "c1",
            "'version'"),
        row("config version 2^53", config("9007199254740992", "{}"), ErrorCode.INVALID_FIELD, "c1", "'version'"),
        row("config version in exponent form", config("1e3", "{}"), ErrorCode.INVALID_FIELD, "c1", "'version'"),
        row("config not an object", config("3", "[1]"), ErrorCode.INVALID_FIELD, "c1", "'config'"),
        row("config missing", "{\"type\":\"config\",\"id\":\"c1\",\"version\":3}", ErrorCode.MISSING_FIELD, "c1",
            "'config'"),
        // Free text.
        row("text with an unpaired surrogate", "{\"type\":\"bye\",\"reason\":\"\\ud800\"}", ErrorCode.INVALID_FIELD,
            null, "'reason'"),
        row("text too long", "{\"type\":\"bye\",\"reason\":\"" + "x".repeat(4097) + "\"}", ErrorCode.INVALID_FIELD,
            null, "'reason'"),
        // send / deliver.
        row("send to a bad instrument id", send("\"to\":\"../etc\""), ErrorCode.INVALID_FIELD, "m1", "'to'"),
        row("send to a number", send("\"to\":12"), ErrorCode.INVALID_FIELD, "m1", "'to'"),
        row("send with ack but no id", "{\"type\":\"send\",\"to\":\"ids\",\"ack\":true,\"payload\":{}}",
            ErrorCode.MISSING_FIELD, null, "'id'"),
        row("send with ack not a boolean", send("\"to\":\"ids\",\"ack\":\"yes\""), ErrorCode.INVALID_FIELD, "m1",
            "'ack'"),
        row("send without payload", "{\"type\":\"send\",\"id\":\"m1\",\"to\":\"ids\"}", ErrorCode.MISSING_FIELD, "m1",
            "'payload'"),
        row("send with a null payload", "{\"type\":\"send\",\"id\":\"m1\",\"to\":\"ids\",\"payload\":null}",
            ErrorCode.MISSING_FIELD, "m1", "'payload'"),
        row("deliver from a bad instrument id", "{\"type\":\"deliver\",\"from\":\"x\",\"payload\":1}",
            ErrorCode.INVALID_FIELD, null, "'from'"),
        // publish / subscribe / event.
        row("topic with capitals and punctuation", publish("Alerts!", "users"), ErrorCode.INVALID_FIELD, "p1",
            "'topic'"),
        row("topic with an empty segment", publish("alerts..ids", "users"), ErrorCode.INVALID_FIELD, "p1", "'topic'"),
        row("topic too long", publish("a".repeat(65), "users"), ErrorCode.INVALID_FIELD, "p1", "'topic'"),
        row("topic with a wildcard", "{\"type\":\"subscribe\",\"id\":\"s1\",\"topic\":\"alerts.*\"}",
            ErrorCode.INVALID_FIELD, "s1", "'topic'"),
        row("unknown audience", publish("alerts", "everyone"), ErrorCode.INVALID_FIELD, "p1", "'audience'"),
        row("event with a bad timestamp", "{\"type\":\"event\",\"topic\":\"a\",\"from\":\"ids\",\"audience\":\"users\","
            + "\"occurred_at\":\"yesterday\",\"payload\":1}", ErrorCode.INVALID_FIELD, null, "'occurred_at'"),
        // health / retention / resources / errors.
        row("unknown health status", "{\"type\":\"health-report\",\"status\":\"fine\"}", ErrorCode.INVALID_FIELD,
            null, "'status'"),
        row("health metrics not an object", "{\"type\":\"health-report\",\"status\":\"healthy\",\"metrics\":[1]}",
            ErrorCode.INVALID_FIELD, null, "'metrics'"),
        row("retention cutoff not a timestamp", "{\"type\":\"retention-enforce\",\"id\":\"r1\",\"cutoff\":\"2026-13-01\"}",
            ErrorCode.INVALID_FIELD, "r1", "'cutoff'"),
        row("retention cutoff as epoch seconds", "{\"type\":\"retention-enforce\",\"id\":\"r1\",\"cutoff\":1790000000}",
            ErrorCode.INVALID_FIELD, "r1", "'cutoff'"),
        row("retention report negative count", "{\"type\":\"retention-report\",\"re\":\"r1\","
            + "\"cutoff\":\"2026-10-23T00:00:00Z\",\"deleted_files\":-1,\"deleted_bytes\":0}", ErrorCode.INVALID_FIELD,
            null, "'deleted_files'"),
        row("resource sha256 in upper case", resource("\"sha256\":\"" + "A".repeat(64) + "\",\"location\":\"/r\""),
            ErrorCode.INVALID_FIELD, null, "'sha256'"),
        row("resource at a relative path", resource("\"sha256\":\"" + SHA + "\",\"location\":\"rules.tar\""),
            ErrorCode.INVALID_FIELD, null, "'location'"),
        row("error with a code that is not a wire name", "{\"type\":\"error\",\"code\":\"Not Permitted\"}",
            ErrorCode.INVALID_FIELD, null, "'code'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void rejects_malformed_input_with_the_expected_error(String what, byte[] line, ErrorCode code, String re,
      String mention) {
    var rejected = assertInstanceOf(DecodeResult.Rejected.class, CODEC.decode(line), what);
    assertEquals(code, rejected.code(), rejected.message());
    assertEquals(Optional.ofNullable(re), rejected.correlationId(), rejected.message());
    assertTrue(rejected.message().contains(mention), rejected.message());
    assertFalse(rejected.fatal(), what);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void error_messages_are_short_printable_ascii(String what, byte[] line) {
    var rejected = (DecodeResult.Rejected) CODEC.decode(line);
    assertTrue(rejected.message().matches("[\\x20-\\x7e]{1,300}"), rejected.message());
  }

  @Test
  void the_table_has_at_least_thirty_rows() {
    assertTrue(malformed().count() >= 30);
  }

  @Test
  void a_line_over_the_size_limit_is_fatal() {
    var codec = FrameCodec.withLimits(FrameLimits.ofFrameBytes(64));
    byte[] line = ("{\"type\":\"bye\",\"id\":\"b1\",\"reason\":\"" + "x".repeat(40) + "\"}").getBytes(StandardCharsets.UTF_8);
    var rejected = assertInstanceOf(DecodeResult.Rejected.class, codec.decode(line));
    assertEquals(ErrorCode.FRAME_TOO_LARGE, rejected.code());
    assertTrue(rejected.fatal());
    assertTrue(rejected.message().contains(line.length + " bytes"), rejected.message());
  }

  @Test
  void a_line_of_exactly_the_size_limit_is_accepted() {
    byte[] line = ("{\"type\":\"bye\",\"reason\":\"" + "x".repeat(39) + "\"}").getBytes(StandardCharsets.UTF_8);
    var codec = FrameCodec.withLimits(FrameLimits.ofFrameBytes(line.length));
    assertEquals(new DecodeResult.Decoded(new Frame.Bye("x".repeat(39))), codec.decode(line));
  }

  @Test
  void a_one_mebibyte_frame_plus_one_byte_is_too_large_by_default() {
    byte[] line = new byte[FrameLimits.DEFAULT_MAX_FRAME_BYTES + 1];
    java.util.Arrays.fill(line, (byte) ' ');
    assertEquals(ErrorCode.FRAME_TOO_LARGE, ((DecodeResult.Rejected) CODEC.decode(line)).code());
  }

  @Test
  void a_payload_over_its_limit_is_refused_without_closing() {
    var codec = FrameCodec.withLimits(new FrameLimits(200, 20, 8));
    byte[] line = "{\"type\":\"send\",\"id\":\"m1\",\"to\":\"ids\",\"payload\":\"twenty-one characters\"}"
        .getBytes(StandardCharsets.UTF_8);
    var rejected = assertInstanceOf(DecodeResult.Rejected.class, codec.decode(line));
    assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, rejected.code());
    assertEquals(Optional.of("m1"), rejected.correlationId());
    assertFalse(rejected.fatal());
  }

  @Test
  void payload_nesting_up_to_one_below_the_limit_is_accepted() {
    String line = "{\"type\":\"send\",\"to\":\"ids\",\"payload\":" + nested(63) + "}";
    assertInstanceOf(DecodeResult.Decoded.class, CODEC.decode(line.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void the_codec_keeps_decoding_after_a_rejection() {
    CODEC.decode("{\"type\":".getBytes(StandardCharsets.UTF_8));
    assertEquals(new DecodeResult.Decoded(new Frame.Bye("")),
        CODEC.decode("{\"type\":\"bye\"}".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void a_rejection_becomes_an_error_frame_that_echoes_the_id() {
    var rejected = (DecodeResult.Rejected) CODEC.decode("{\"type\":\"teleport\",\"id\":\"t1\"}".getBytes(StandardCharsets.UTF_8));
    byte[] encoded = CODEC.encode(rejected.toErrorFrame());
    var error = (Frame.Error) ((DecodeResult.Decoded) CODEC.decode(encoded, 0, encoded.length - 1)).frame();
    assertEquals(Optional.of("t1"), error.re());
    assertEquals(Optional.of(ErrorCode.UNKNOWN_TYPE), error.knownCode());
  }

  private static Arguments row(String what, String line, ErrorCode code, String re, String mention) {
    return bytes(what, line.getBytes(StandardCharsets.UTF_8), code, re, mention);
  }

  private static Arguments bytes(String what, byte[] line, ErrorCode code, String re, String mention) {
    return Arguments.of(what, line, code, re, mention);
  }

  private static String hello(String versions) {
    return "{\"type\":\"hello\",\"id\":\"h1\",\"versions\":" + versions + ",\"instrument\":\"ids\",\"software\":\"x\"}";
  }

  private static String config(String version, String config) {
    return "{\"type\":\"config\",\"id\":\"c1\",\"version\":" + version + ",\"config\":" + config + "}";
  }

  private static String send(String fields) {
    return "{\"type\":\"send\",\"id\":\"m1\"," + fields + ",\"payload\":{}}";
  }

  private static String publish(String topic, String audience) {
    return "{\"type\":\"publish\",\"id\":\"p1\",\"topic\":\"" + topic + "\",\"audience\":\"" + audience
        + "\",\"payload\":{}}";
  }

  private static String resource(String fields) {
    return "{\"type\":\"resource-available\",\"name\":\"rules\",\"version\":\"1\",\"size\":1," + fields + "}";
  }

  /** {@code levels} nested arrays. */
  static String nested(int levels) {
    return "[".repeat(levels) + "]".repeat(levels);
  }

  private static byte[] concat(Object... parts) {
    var out = new ByteArrayOutputStream();
    for (Object part : parts) {
      out.writeBytes(part instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) part);
    }
    return out.toByteArray();
  }

  private static byte[] utf16(String s) {
    return s.getBytes(StandardCharsets.UTF_16LE);
  }
}
