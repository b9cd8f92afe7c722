package io.sensorfleet.instruments.dnssensor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A named, versioned list of name patterns to alert on, as a rule manager sends it:
 * {@code {"ruleset": "demo", "version": 3, "patterns": ["*.evil.example", "bad.test"]}}.
 *
 * <p>Patterns are globs on query names, compared without case and without a trailing dot: {@code *} matches any
 * run of characters (dots included, so {@code *.evil.example} matches {@code a.b.evil.example} but not
 * {@code evil.example}), {@code ?} one character. An empty list withdraws the ruleset.
 */
public record Ruleset(String name, long version, List<String> patterns) {

  public static final int MAX_PATTERNS = 10_000;
  public static final int MAX_NAME_LENGTH = 64;
  private static final int MAX_PATTERN_LENGTH = 253;
  private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern VALID_PATTERN = Pattern.compile("[a-z0-9_*?-]+(?:\\.[a-z0-9_*?-]+)*");
  private static final Set<String> FIELDS = Set.of("ruleset", "version", "patterns");

  public Ruleset {
    patterns = List.copyOf(patterns);
  }

  /**
   * Reads a ruleset message.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Ruleset parse(JsonNode message) {
    if (!message.isObject()) {
      throw new IllegalArgumentException("a ruleset is a JSON object");
    }
    for (Iterator<String> it = message.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        throw new IllegalArgumentException("unknown field '" + field + "'; known: ruleset, version, patterns");
      }
    }
    JsonNode name = message.path("ruleset");
    if (!name.isTextual() || name.asText().length() > MAX_NAME_LENGTH
        || !VALID_NAME.matcher(name.asText()).matches()) {
      throw new IllegalArgumentException("ruleset must be a name of letters, digits, '.', '_' or '-' (at most "
          + MAX_NAME_LENGTH + ")");
    }
    JsonNode version = message.path("version");
    if (!version.canConvertToExactIntegral() || !version.canConvertToLong() || version.asLong() < 0) {
      throw new IllegalArgumentException("version must be a whole number from 0");
    }
    JsonNode list = message.path("patterns");
    if (!list.isArray() || list.size() > MAX_PATTERNS) {
      throw new IllegalArgumentException("patterns must be a list of at most " + MAX_PATTERNS + " globs");
    }
    List<String> patterns = new ArrayList<>();
    for (JsonNode p : list) {
      if (!p.isTextual()) {
        throw new IllegalArgumentException("patterns must be strings, got " + p.getNodeType());
      }
      patterns.add(normalizePattern(p.asText()));
    }
    return new Ruleset(name.asText(), version.asLong(), patterns);
  }

  /**
   * {@code pattern} lower-cased without a trailing dot.
   *
   * @throws IllegalArgumentException if it is not a glob on a domain name
   */
  public static String normalizePattern(String pattern) {
    String p = pattern.toLowerCase(Locale.ROOT);
    p = p.endsWith(".") ? p.substring(0, p.length() - 1) : p;
    if (p.isEmpty() || p.length() > MAX_PATTERN_LENGTH || !VALID_PATTERN.matcher(p).matches()) {
      throw new IllegalArgumentException("pattern '" + pattern + "' is not a domain-name glob (letters, digits, "
          + "'-', '_', '.', '*', '?'; at most " + MAX_PATTERN_LENGTH + " characters)");
    }
    return p;
  }

  /** The ruleset compiled for matching. */
  public Compiled compile() {
    return new Compiled(this, patterns.stream().map(Ruleset::glob).toList());
  }

  private static Pattern glob(String pattern) {
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }

  /** A ruleset ready to match names. */
  public record Compiled(Ruleset ruleset, List<Pattern> globs) {

    /** The first pattern matching {@code qname} (lower case, no trailing dot), if any. */
    public Optional<String> firstMatch(String qname) {
      for (int i = 0; i < globs.size(); i++) {
        if (globs.get(i).matcher(qname).matches()) {
          return Optional.of(ruleset.patterns().get(i));
        }
      }
      return Optional.empty();
    }
  }
}
