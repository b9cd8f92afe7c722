package io.sensorfleet.core.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.sensorfleet.core.InstrumentId;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The top-level fields of one frame as the streaming read left them: scalars as text, objects and arrays as byte
 * ranges of the line, nothing materialized until a frame type asks for it. The typed getters are the protocol's
 * field rules; each failure names its field. {@code null} counts as absent.
 */
final class Envelope {

  /** One top-level value: its token, its text for strings and numbers, its byte range relative to the frame. */
  record Field(JsonToken token, String text, int start, int end) {}

  private final byte[] line;
  private final int offset;
  private final FrameLimits limits;
  private final JsonFactory json;
  /**
   * The fields in arrival order, looked up by a linear scan while there are few (a bus frame has four or five, and a
   * HashMap per frame was a tenth of the decoder's time); past {@link #SCAN_LIMIT} an index takes over, so a frame
   * with thousands of unknown fields costs no quadratic duplicate check.
   */
  private static final int SCAN_LIMIT = 8;
  private final String[] names = new String[SCAN_LIMIT];
  private final Field[] values = new Field[SCAN_LIMIT];
  private int count;
  private Map<String, Field> index;
  private String correlationId;
  private boolean rootClosed;

  Envelope(byte[] line, int offset, FrameLimits limits, JsonFactory json) {
    this.line = line;
    this.offset = offset;
    this.limits = limits;
    this.json = json;
  }

  void add(String name, JsonToken token, String text, int start, int end) throws Rejection {
    if (!put(name, new Field(token, text, start, end))) {
      throw new Rejection(ErrorCode.DUPLICATE_FIELD, "field '" + Checks.printable(name) + "' appears more than once");
    }
    if (correlationId == null && name.equals("id") && token == JsonToken.VALUE_STRING
        && Checks.isCorrelationId(text)) {
      correlationId = text;
    }
  }

  /** True when a field of this name was added (whatever its value). */
  boolean has(String name) {
    return field(name) != null;
  }

  /** Adds the field unless one of that name is there; false if it was. */
  private boolean put(String name, Field field) {
    if (index != null) {
      return index.putIfAbsent(name, field) == null;
    }
    if (field(name) != null) {
      return false;
    }
    if (count < SCAN_LIMIT) {
      names[count] = name;
      values[count++] = field;
      return true;
    }
    index = new HashMap<>();
    for (int k = 0; k < count; k++) {
      index.put(names[k], values[k]);
    }
    index.put(name, field);
    return true;
  }

  private Field field(String name) {
    if (index != null) {
      return index.get(name);
    }
    for (int k = 0; k < count; k++) {
      if (names[k].equals(name)) {
        return values[k];
      }
    }
    return null;
  }

  /** The frame's {@code id}, as soon as a valid one was read, so even a refusal can be correlated. */
  Optional<String> correlationId() {
    return Optional.ofNullable(correlationId);
  }

  void closeRoot() {
    rootClosed = true;
  }

  /** True once the frame's object is complete, so anything more is trailing data. */
  boolean rootClosed() {
    return rootClosed;
  }

  String string(String name) throws Rejection {
    return typed(required(name), name, JsonToken.VALUE_STRING, "a string").text();
  }

  Optional<String> optionalString(String name) throws Rejection {
    Field f = optional(name);
    return f == null ? Optional.empty() : Optional.of(typed(f, name, JsonToken.VALUE_STRING, "a string").text());
  }

  /** Free text that may be omitted, meaning empty. */
  String textOrEmpty(String name) throws Rejection {
    return optionalString(name).orElse("");
  }

  boolean bool(String name, boolean absent) throws Rejection {
    Field f = optional(name);
    if (f == null) {
      return absent;
    }
    if (f.token() != JsonToken.VALUE_TRUE && f.token() != JsonToken.VALUE_FALSE) {
      throw wrongType(name, f, "a boolean");
    }
    return f.token() == JsonToken.VALUE_TRUE;
  }

  /** An integer that fits 53 bits; the record's own check then applies its range. */
  long integer(String name) throws Rejection {
    return toLong(name, required(name));
  }

  OptionalLong optionalInteger(String name) throws Rejection {
    Field f = optional(name);
    return f == null ? OptionalLong.empty() : OptionalLong.of(toLong(name, f));
  }

  int smallInteger(String name) throws Rejection {
    long value = integer(name);
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw invalid(name, "must be an integer from 1 to " + Integer.MAX_VALUE);
    }
    return (int) value;
  }

  /** A JSON value of any kind but null, kept as its bytes. */
  RawJson raw(String name) throws Rejection {
    return toRaw(name, required(name));
  }

  RawJson rawObject(String name) throws Rejection {
    return toRaw(name, typed(required(name), name, JsonToken.START_OBJECT, "an object"));
  }

  Optional<RawJson> optionalRawObject(String name) throws Rejection {
    Field f = optional(name);
    return f == null
        ? Optional.empty()
        : Optional.of(toRaw(name, typed(f, name, JsonToken.START_OBJECT, "an object")));
  }

  Instant instant(String name) throws Rejection {
    String text = string(name);
    try {
      if (text.length() <= 64) {
        return Instant.parse(text);
      }
    } catch (DateTimeException e) {
      // reported below
    }
    throw invalid(name, "must be an RFC 3339 timestamp such as 2026-11-22T10:15:30Z, got '"
        + Checks.printable(text) + "'");
  }

  InstrumentId instrument(String name) throws Rejection {
    String text = string(name);
    if (!InstrumentId.isValid(text)) {
      throw invalid(name, "must be an instrument id (2 to 32 characters: a-z first, then a-z, 0-9 or '-', "
          + "ending in a-z or 0-9, no '--'), got '" + Checks.printable(text) + "'");
    }
    return InstrumentId.of(text);
  }

  Topic topic(String name) throws Rejection {
    String text = string(name);
    if (!Topic.isValid(text)) {
      throw invalid(name, "must be a topic (1 to 64 characters, dot-separated segments of a-z, 0-9, '_' or '-', "
          + "each starting with a-z or 0-9), got '" + Checks.printable(text) + "'");
    }
    return Topic.of(text);
  }

  Audience audience(String name) throws Rejection {
    String text = string(name);
    return Audience.fromWireName(text).orElseThrow(() ->
        invalid(name, "must be 'users' or 'instruments', got '" + Checks.printable(text) + "'"));
  }

  HealthStatus healthStatus(String name) throws Rejection {
    String text = string(name);
    return HealthStatus.fromWireName(text).orElseThrow(() ->
        invalid(name, "must be 'healthy', 'degraded' or 'failed', got '" + Checks.printable(text) + "'"));
  }

  /** A short array of positive 32-bit integers (the protocol versions of {@code hello}). */
  List<Integer> smallIntegers(String name, int maxCount) throws Rejection {
    Field f = typed(required(name), name, JsonToken.START_ARRAY, "an array");
    Rejection bad = invalid(name, "must list 1 to " + maxCount + " positive integers");
    List<Integer> values = new ArrayList<>();
    try (JsonParser p = json.createParser(line, offset + f.start(), f.end() - f.start())) {
      p.nextToken();
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t != JsonToken.VALUE_NUMBER_INT || values.size() == maxCount || p.getTextLength() > 10) {
          throw bad;
        }
        long v = Long.parseLong(p.getText());
        if (v < 1 || v > Integer.MAX_VALUE) {
          throw bad;
        }
        values.add((int) v);
      }
    } catch (IOException e) {
      // The range was scanned before, so this cannot happen; report it like any other bad value.
      throw bad;
    }
    if (values.isEmpty()) {
      throw bad;
    }
    return values;
  }

  Rejection missing(String name, String why) {
    return new Rejection(ErrorCode.MISSING_FIELD, "field '" + name + "' is missing" + why);
  }

  private Field optional(String name) {
    Field f = field(name);
    return f == null || f.token() == JsonToken.VALUE_NULL ? null : f;
  }

  private Field required(String name) throws Rejection {
    Field f = optional(name);
    if (f == null) {
      throw missing(name, "");
    }
    return f;
  }

  private Field typed(Field f, String name, JsonToken expected, String kind) throws Rejection {
    if (f.token() != expected) {
      throw wrongType(name, f, kind);
    }
    return f;
  }

  private long toLong(String name, Field f) throws Rejection {
    if (f.token() != JsonToken.VALUE_NUMBER_INT) {
      throw wrongType(name, f, "an integer");
    }
    // 2^53 - 1 has 16 digits; longer text is out of range whatever it says, and is never parsed.
    if (f.text().length() > 17) {
      throw invalid(name, "must be an integer from 0 to " + Checks.MAX_SAFE_INTEGER + ", got a "
          + f.text().length() + "-digit number");
    }
    long value = Long.parseLong(f.text());
    if (Math.abs(value) > Checks.MAX_SAFE_INTEGER) {
      throw invalid(name, "must be an integer from 0 to " + Checks.MAX_SAFE_INTEGER + ", got " + value);
    }
    return value;
  }

  private RawJson toRaw(String name, Field f) throws Rejection {
    int length = f.end() - f.start();
    if (length > limits.maxPayloadBytes()) {
      throw new Rejection(ErrorCode.PAYLOAD_TOO_LARGE,
          "field '" + name + "' is " + length + " bytes, the limit is " + limits.maxPayloadBytes());
    }
    return RawJson.copyOfScanned(line, offset + f.start(), length);
  }

  private Rejection wrongType(String name, Field f, String kind) {
    return invalid(name, "must be " + kind + ", got " + JsonSupport.kind(f.token()));
  }

  private static Rejection invalid(String name, String rule) {
    return new Rejection(ErrorCode.INVALID_FIELD, "field '" + name + "' " + rule);
  }
}
