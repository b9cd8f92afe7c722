package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The scalar and list {@link Read}s manifests are built from. Strict about types: {@code "8080"} is not a port. */
final class Reads {

  private Reads() {}

  /** Any value, as it is. */
  static Read<JsonNode> any() {
    return (node, path, problems) -> Optional.of(node);
  }

  /** A YAML string. */
  static Read<String> string() {
    return (node, path, problems) -> {
      if (!node.isTextual()) {
        problems.add(path, "expected a string, got " + kind(node));
        return Optional.empty();
      }
      return Optional.of(node.textValue());
    };
  }

  /** A YAML integer in {@code [min, max]}. */
  static Read<Integer> integer(int min, int max) {
    return (node, path, problems) -> {
      if (!node.isIntegralNumber()) {
        problems.add(path, "expected a whole number, got " + kind(node));
        return Optional.empty();
      }
      if (!node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
        problems.add(path, "must be between " + min + " and " + max + ", got " + cut(node.asText()));
        return Optional.empty();
      }
      return Optional.of(node.intValue());
    };
  }

  /** A {@link ByteSize}: a string like {@code 512MiB}, or a whole number of bytes. */
  static Read<ByteSize> byteSize() {
    return (node, path, problems) -> {
      if (node.isIntegralNumber()) {
        if (!node.canConvertToLong() || node.longValue() < 0 || node.longValue() > ByteSize.MAX.bytes()) {
          problems.add(path, "must be between 0 and 16TiB, got " + cut(node.asText()));
          return Optional.empty();
        }
        return Optional.of(ByteSize.ofBytes(node.longValue()));
      }
      if (node.isNumber()) {
        problems.add(path, "expected a whole number of bytes or a size like 512MiB, got " + cut(node.asText()));
        return Optional.empty();
      }
      return string().map(ByteSize::parse).read(node, path, problems);
    };
  }

  /** A {@link Duration} written {@code 10s}, {@code 30d} or ISO-8601. */
  static Read<Duration> duration() {
    return (node, path, problems) -> {
      if (node.isNumber()) {
        problems.add(path, "a duration needs a unit, e.g. " + cut(node.asText()) + "s");
        return Optional.empty();
      }
      return string().map(Durations::parse).read(node, path, problems);
    };
  }

  /** A YAML sequence, each element read by {@code element} at {@code path[i]}; all elements are checked. */
  static <T> Read<List<T>> list(Read<T> element) {
    return (node, path, problems) -> {
      if (!node.isArray()) {
        problems.add(path, "expected a list, got " + kind(node));
        return Optional.empty();
      }
      List<T> values = new ArrayList<>();
      boolean valid = true;
      for (int i = 0; i < node.size(); i++) {
        Optional<T> value = element.read(node.get(i), path + "[" + i + "]", problems);
        value.ifPresent(values::add);
        valid &= value.isPresent();
      }
      return valid ? Optional.of(values) : Optional.empty();
    };
  }

  /** What a node is, for messages: {@code a string}, {@code a list}, ... */
  static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> node.isIntegralNumber() ? "a whole number" : "a decimal number";
      case BOOLEAN -> "a boolean (" + node.asText() + ")";
      case ARRAY -> "a list";
      case OBJECT -> "a mapping";
      case NULL, MISSING -> "nothing";
      case BINARY, POJO -> "binary data";
    };
  }

  private static String cut(String text) {
    return text.length() > 24 ? text.substring(0, 24) + "..." : text;
  }
}
