package io.sensorfleet.instruments.dnssensor;

import com.fasterxml.jackson.databind.JsonNode;
import io.sensorfleet.core.protocol.RawJson;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;

/**
 * The dns-sensor's configuration, e.g. {@code {"pcap": "/opt/instrument/dns-sample.pcap", "rate": 20,
 * "loop": true}}; every field is optional.
 *
 * @param pcap the capture to replay; empty: {@link #DEFAULT_PCAP} if it exists, else the sample inside the jar
 * @param rate packets replayed per second, more than 0 and at most {@link #MAX_RATE}; default 10
 * @param loop start again at the end of the file; default true
 */
public record SensorConfig(Optional<Path> pcap, double rate, boolean loop) {

  public static final Path DEFAULT_PCAP = Path.of("/opt/instrument/dns-sample.pcap");
  public static final double DEFAULT_RATE = 10;
  public static final double MAX_RATE = 100_000;

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
      if (!field.equals("pcap") && !field.equals("rate") && !field.equals("loop")) {
        return new Parsed.Invalid("unknown field '" + field + "'; known: pcap, rate, loop");
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
    return new Parsed.Valid(new SensorConfig(pcap, rate, loop));
  }
}
