package io.sensorfleet.instruments.passivedns;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One answer seen for a name: the unit the database counts. Read from a {@code dns} event of the dns-sensor
 * ({@code {"kind":"response","qname":"example.org","qtype":"A","answers":["203.0.113.80"],...}}); queries, and
 * responses without answers, hold none.
 */
public record Observation(String qname, String qtype, String answer, Instant seen) {

  public static final int MAX_NAME = 255;
  public static final int MAX_TYPE = 16;
  public static final int MAX_ANSWER = 1024;

  /**
   * The observations in a {@code dns} event.
   *
   * @throws IllegalArgumentException if the payload is not a dns event this database can store
   */
  public static List<Observation> fromEvent(JsonNode event, Instant seen) {
    if (!event.isObject()) {
      throw new IllegalArgumentException("a dns event is a JSON object");
    }
    if (!"response".equals(event.path("kind").asText())) {
      return List.of();
    }
    String qname = normalizeName(text(event, "qname", MAX_NAME));
    String qtype = text(event, "qtype", MAX_TYPE);
    JsonNode answers = event.path("answers");
    if (!answers.isArray()) {
      throw new IllegalArgumentException("answers must be a list");
    }
    List<Observation> found = new ArrayList<>();
    for (JsonNode answer : answers) {
      if (!answer.isTextual() || answer.asText().isEmpty() || answer.asText().length() > MAX_ANSWER) {
        throw new IllegalArgumentException("answers must be non-empty strings of at most " + MAX_ANSWER);
      }
      found.add(new Observation(qname, qtype, answer.asText(), seen));
    }
    return found;
  }

  /** Lower case, without a trailing dot (but {@code .} for the root), as names are stored and searched. */
  public static String normalizeName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    return n.length() > 1 && n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  private static String text(JsonNode event, String field, int max) {
    JsonNode value = event.path(field);
    if (!value.isTextual() || value.asText().isEmpty() || value.asText().length() > max) {
      throw new IllegalArgumentException(field + " must be a non-empty string of at most " + max + " characters");
    }
    return value.asText();
  }
}
