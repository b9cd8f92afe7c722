package io.sensorfleet.core.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.json.JsonReadFeature;

/** The Jackson configuration of the protocol, in one place, and how its complaints read in our error messages. */
final class JsonSupport {

  private JsonSupport() {}

  /**
   * A strict, thread-safe factory whose parsers refuse nesting deeper than {@code maxDepth}. Every non-standard
   * JSON extension stays off (comments, single quotes, NaN, leading zeros, trailing commas, control characters);
   * we spell them out so a changed Jackson default cannot loosen the protocol. Other lengths are bounded by the
   * frame size, checked before parsing.
   */
  static JsonFactory factory(int maxDepth, int maxBytes) {
    return JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(maxDepth)
            .maxDocumentLength(maxBytes)
            .maxStringLength(maxBytes)
            .maxNumberLength(maxBytes)
            .maxNameLength(maxBytes)
            .build())
        .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
        .disable(JsonReadFeature.ALLOW_YAML_COMMENTS)
        .disable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
        .disable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
        .disable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
        .disable(JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER)
        .disable(JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS)
        .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .disable(JsonReadFeature.ALLOW_MISSING_VALUES)
        .disable(JsonReadFeature.ALLOW_TRAILING_COMMA)
        .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        // Interning would keep every field name a peer ever sent for the life of the JVM.
        .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
        .build();
  }

  static boolean isTooDeep(JsonProcessingException e) {
    return e instanceof StreamConstraintsException && String.valueOf(e.getOriginalMessage()).contains("nesting depth");
  }

  /**
   * Where Jackson's complaint applies, relative to the parsed range: its own location, or the parser's position for
   * the exceptions that carry none (the nesting limit's).
   */
  static long byteOffset(JsonProcessingException e, JsonParser parser) {
    if (e.getLocation() != null && e.getLocation().getByteOffset() >= 0) {
      return e.getLocation().getByteOffset();
    }
    return parser == null ? -1 : parser.currentLocation().getByteOffset();
  }

  /** Jackson's complaint without its location suffix, made printable and short. */
  static String describe(JsonProcessingException e) {
    if (e instanceof JsonEOFException) {
      return "the line ends inside a JSON value";
    }
    String message = String.valueOf(e.getOriginalMessage());
    int cut = message.indexOf('\n');
    if (cut >= 0) {
      message = message.substring(0, cut);
    }
    cut = message.indexOf(" (start marker at");
    if (cut >= 0) {
      message = message.substring(0, cut);
    }
    return Checks.printable(message, 160);
  }

  /** The JSON type of a value token, as our messages name it. */
  static String kind(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    return switch (token) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.name();
    };
  }
}
