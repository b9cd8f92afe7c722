package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One YAML mapping being read. It remembers which keys were asked for, so {@link #rejectUnknownKeys()} can
 * report every other key: in a security manifest a typo ({@code permisions:}) must be an error, not a silently
 * ignored field.
 */
final class Section {

  private final JsonNode node;
  private final String path;
  private final Problems problems;
  private final Set<String> known = new LinkedHashSet<>();

  private Section(JsonNode node, String path, Problems problems) {
    this.node = node;
    this.path = path;
    this.problems = problems;
  }

  /** The mapping at {@code path}, or empty (and a problem) if {@code node} is not a mapping. */
  static Optional<Section> of(JsonNode node, String path, Problems problems) {
    if (!node.isObject()) {
      problems.add(path, "expected a mapping, got " + Reads.kind(node));
      return Optional.empty();
    }
    return Optional.of(new Section(node, path, problems));
  }

  /** Where this section records problems, for rules across several of its keys. */
  Problems problems() {
    return problems;
  }

  /** The path of {@code key} in this section, e.g. {@code limits.memory}. */
  String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** True when {@code key} is present and not null. */
  boolean has(String key) {
    known.add(key);
    JsonNode value = node.get(key);
    return value != null && !value.isNull();
  }

  /** The value of {@code key}; empty when it is absent or null (fine) or invalid (a problem was recorded). */
  <T> Optional<T> optional(String key, Read<T> read) {
    return has(key) ? read.read(node.get(key), path(key), problems) : Optional.empty();
  }

  /** The value of {@code key}; empty, with a problem recorded, when it is absent, null or invalid. */
  <T> Optional<T> required(String key, Read<T> read) {
    if (!has(key)) {
      problems.add(path(key), "is required");
      return Optional.empty();
    }
    return read.read(node.get(key), path(key), problems);
  }

  /** The value of {@code key}, {@code fallback} when absent or null; empty only when invalid. */
  <T> Optional<T> withDefault(String key, Read<T> read, T fallback) {
    return has(key) ? read.read(node.get(key), path(key), problems) : Optional.of(fallback);
  }

  /** Records a problem for every key no reader asked for. */
  void rejectUnknownKeys() {
    node.properties().forEach(entry -> {
      String key = entry.getKey();
      if (!known.contains(key)) {
        problems.add(path(key), "unknown field" + suggestion(key, known)
            + (known.isEmpty() ? "" : "; expected " + String.join(", ", known)));
      }
    });
  }

  /** {@code "; did you mean 'x'?"} for a near miss among {@code candidates}, else empty. */
  static String suggestion(String key, Collection<String> candidates) {
    String best = null;
    int bestDistance = 3;
    for (String candidate : candidates) {
      int distance = distance(key.toLowerCase(Locale.ROOT), candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }

  /** Levenshtein distance, for typo hints; keys are short. */
  private static int distance(String a, String b) {
    if (a.length() > 64) {
      return Integer.MAX_VALUE;
    }
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
