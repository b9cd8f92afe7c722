package io.sensorfleet.instruments.dnssensor;

import com.fasterxml.jackson.databind.JsonNode;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.instruments.support.Json;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * The dns-sensor's configuration, e.g. {@code {"pcap": "/opt/instrument/dns-sample.pcap", "rate": 20,
 * "loop": true, "alert-suppress-seconds": 60}}; every field is optional.
 *
 * @param pcap the capture to replay; empty: {@link #DEFAULT_PCAP} if it exists, else the sample inside the jar
 * @param rate packets replayed per second, more than 0 and at most {@link #MAX_RATE}; default 10
 * @param loop start again at the end of the file; default true
 * @param alertSuppress how long a repeat of an alert (same ruleset, pattern, name and client) is suppressed
 *     ({@code alert-suppress-seconds}, 0 to 86400; default 60; 0 alerts on every match)
 */
public record SensorConfig(Optional<Path> pcap, double rate, boolean loop, Duration alertSuppress) {

  public static final Path DEFAULT_PCAP = Path.of("/opt/instrument/dns-sample.pcap");
  public static final double DEFAULT_RATE = 10;
  public static final double MAX_RATE = 100_000;
  public static final Duration DEFAULT_ALERT_SUPPRESS = Duration.ofSeconds(60);
  private static final double MAX_SUPPRESS_SECONDS = 86_400;
  private static final Set<String> FIELDS = Set.of("pcap", "rate", "loop", "alert-suppress-seconds");

  /** What a configuration said: valid, or why not, in words for the operator. */
  public sealed interface Parsed {
    record Valid(SensorConfig config) implements Parsed {}

    record Invalid(String reason) implements Parsed {}
  }

  public static Parsed parse(RawJson json) {
    JsonNode tree = Json.read(json);
    if (!tree.isObject()) {
      return new Parsed.Invalid("the configuration must be a JSON object");
    }
    for (Iterator<String> it = tree.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        return new Parsed.Invalid("unknown field '" + field + "'; known: alert-suppress-seconds, loop, pcap, rate");
      }
    }
    Optional<Path> pcap = Optional.empty();
    if (tree.has("pcap")) {
      JsonNode p = tree.get("pcap");
      if (!p.isTextual() || p.asText().isBlank()) {
        return new Parsed.Invalid("pcap must be the path of a pcap file");
      }
      try {
        pcap = Optional.of(Path.of(p.asText()));
      } catch (InvalidPathException e) {
        return new Parsed.Invalid("pcap is not a path: " + e.getMessage());
      }
    }
    double rate = DEFAULT_RATE;
    if (tree.has("rate")) {
      JsonNode r = tree.get("rate");
      if (!r.isNumber() || !(r.asDouble() > 0) || r.asDouble() > MAX_RATE) {
        return new Parsed.Invalid("rate must be a number of packets per second above 0, at most " + (long) MAX_RATE);
      }
      rate = r.asDouble();
    }
    boolean loop = true;
    if (tree.has("loop")) {
      if (!tree.get("loop").isBoolean()) {
        return new Parsed.Invalid("loop must be true or false");
      }
      loop = tree.get("loop").asBoolean();
    }
    Duration suppress = DEFAULT_ALERT_SUPPRESS;
    if (tree.has("alert-suppress-seconds")) {
      JsonNode seconds = tree.get("alert-suppress-seconds");
      if (!seconds.isNumber() || seconds.asDouble() < 0 || seconds.asDouble() > MAX_SUPPRESS_SECONDS) {
        return new Parsed.Invalid("alert-suppress-seconds must be a number of seconds from 0 to "
            + (long) MAX_SUPPRESS_SECONDS);
      }
      suppress = Duration.ofMillis(Math.round(seconds.asDouble() * 1000));
    }
    return new Parsed.Valid(new SensorConfig(pcap, rate, loop, suppress));
  }
}
