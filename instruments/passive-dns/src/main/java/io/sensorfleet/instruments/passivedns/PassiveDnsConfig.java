package io.sensorfleet.instruments.passivedns;

import com.fasterxml.jackson.databind.JsonNode;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.instruments.support.Json;
import java.util.Iterator;

/**
 * The passive-dns configuration, e.g. {@code {"ui-port": 8080}}; every field is optional.
 *
 * @param uiPort where the UI listens on 127.0.0.1, the port the manifest's {@code ui: {port: ...}} names (the
 *     platform reverse-proxies it); default 8080, 0 for any free port (tests)
 * @param maxResults the most rows one search returns, 1 to 10000; default 500
 */
public record PassiveDnsConfig(int uiPort, int maxResults) {

  public static final int DEFAULT_UI_PORT = 8080;
  public static final int DEFAULT_MAX_RESULTS = 500;
  public static final int MAX_RESULTS_LIMIT = 10_000;

  /** What a configuration said: valid, or why not, in words for the operator. */
  public sealed interface Parsed {
    record Valid(PassiveDnsConfig config) implements Parsed {}

    record Invalid(String reason) implements Parsed {}
  }

  public static Parsed parse(RawJson json) {
    JsonNode tree = Json.read(json);
    if (!tree.isObject()) {
      return new Parsed.Invalid("the configuration must be a JSON object");
    }
    for (Iterator<String> it = tree.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!field.equals("ui-port") && !field.equals("max-results")) {
        return new Parsed.Invalid("unknown field '" + field + "'; known: ui-port, max-results");
      }
    }
    JsonNode port = tree.path("ui-port");
    if (!port.isMissingNode() && (!port.isInt() || port.asInt() < 0 || port.asInt() > 65535)) {
      return new Parsed.Invalid("ui-port must be a port number from 0 to 65535");
    }
    JsonNode max = tree.path("max-results");
    if (!max.isMissingNode() && (!max.isInt() || max.asInt() < 1 || max.asInt() > MAX_RESULTS_LIMIT)) {
      return new Parsed.Invalid("max-results must be a whole number from 1 to " + MAX_RESULTS_LIMIT);
    }
    return new Parsed.Valid(new PassiveDnsConfig(port.asInt(DEFAULT_UI_PORT), max.asInt(DEFAULT_MAX_RESULTS)));
  }
}
