package io.sensorfleet.instruments.downloader;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One download the platform asked for: fetch {@code url} every {@code every}, keep at most {@code maxBytes}, give up
 * after {@code timeout}; the result must hash to {@code sha256} when that is given. {@code requesters} are the
 * Instruments that asked (for the record: the platform decides who receives what).
 *
 * <p>On the wire (a direct message from the platform, see {@link Jobs}):
 * {@code {"name":"beacon-bin","url":"http://10.0.0.5/beacon.sh","every_seconds":60,"sha256":null,
 * "max_bytes":1048576,"timeout_seconds":30,"requesters":["beacon"]}}.
 */
public record Job(String name, URI url, Duration every, Optional<String> sha256, long maxBytes, Duration timeout,
                  List<String> requesters) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  static final Duration MIN_EVERY = Duration.ofSeconds(1);

  public Job {
    Objects.requireNonNull(url, "url");
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("resource name must be 1-64 of a-z 0-9 . _ - (got " + name + ")");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
      throw new IllegalArgumentException("url must be http(s)://host/...: " + url);
    }
    if (every.compareTo(MIN_EVERY) < 0) {
      throw new IllegalArgumentException("every must be at least " + MIN_EVERY.toSeconds() + " s");
    }
    sha256.ifPresent(s -> {
      if (!SHA256.matcher(s).matches()) {
        throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits");
      }
    });
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("max_bytes must be positive");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    requesters = List.copyOf(requesters);
  }

  /** Reads one job object; throws {@link IllegalArgumentException} naming what is wrong. */
  public static Job fromJson(JsonNode node) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("a job must be an object");
    }
    List<String> requesters = new ArrayList<>();
    node.path("requesters").forEach(r -> requesters.add(r.asText()));
    JsonNode sha = node.path("sha256");
    return new Job(text(node, "name"), URI.create(text(node, "url")),
        Duration.ofSeconds(number(node, "every_seconds")),
        sha.isTextual() ? Optional.of(sha.asText()) : Optional.empty(),
        number(node, "max_bytes"), Duration.ofSeconds(number(node, "timeout_seconds")), requesters);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("job field '" + field + "' must be a string");
    }
    return value.asText();
  }

  private static long number(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.canConvertToLong() || !value.isIntegralNumber()) {
      throw new IllegalArgumentException("job field '" + field + "' must be an integer");
    }
    return value.asLong();
  }

  /** True when {@code other} asks for the same download (a resent job set changes nothing then). */
  public boolean sameDownload(Job other) {
    return name.equals(other.name) && url.equals(other.url) && every.equals(other.every)
        && sha256.equals(other.sha256) && maxBytes == other.maxBytes && timeout.equals(other.timeout);
  }

  static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }
}
