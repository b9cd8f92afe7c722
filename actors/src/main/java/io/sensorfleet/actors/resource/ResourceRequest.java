package io.sensorfleet.actors.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.core.manifest.ByteSize;
import io.sensorfleet.core.manifest.Durations;
import io.sensorfleet.core.permission.Action;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One resource an Instrument asks for in its own configuration, under {@code resources}:
 * <pre>
 * resources:
 *   - name: beacon-bin                    # what the Instrument receives it as (a receive-resource grant names it)
 *     url: http://portal.example/beacon   # http or https
 *     every: 1h                           # how often to check (optional: sensor.resources.default-every)
 *     sha256: 9f86d0...                   # optional: only a body with this hash is accepted
 *     max-size: 16MiB                     # optional: sensor.resources.default-max-size
 *     timeout: 60s                        # optional: sensor.resources.default-timeout
 * </pre>
 * Pure parsing: {@link #parseAll} returns the valid requests and a problem per invalid one.
 */
public record ResourceRequest(String name, URI url, Duration every, Optional<String> sha256, long maxBytes,
                              Duration timeout) {

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The defaults of omitted fields and the floor of {@code every}. */
  public record Defaults(Duration every, long maxBytes, Duration timeout, Duration minEvery) {}

  /** What one configuration asks for. */
  public record Parsed(List<ResourceRequest> requests, List<String> problems) {}

  /** Reads the {@code resources} list of a configuration document (JSON); no list: no requests. */
  public static Parsed parseAll(String configJson, Defaults defaults) {
    List<ResourceRequest> requests = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    JsonNode list;
    try {
      list = JSON.readTree(configJson).path("resources");
    } catch (Exception e) {
      return new Parsed(List.of(), List.of("configuration is not JSON"));
    }
    if (list.isMissingNode() || list.isNull()) {
      return new Parsed(List.of(), List.of());
    }
    if (!list.isArray()) {
      return new Parsed(List.of(), List.of("resources must be a list"));
    }
    for (JsonNode node : list) {
      try {
        requests.add(parse(node, defaults));
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    return new Parsed(List.copyOf(requests), List.copyOf(problems));
  }

  static ResourceRequest parse(JsonNode node, Defaults defaults) {
    String name = node.path("name").asText("");
    Action.RECEIVE_RESOURCE.objectProblem(name).ifPresent(p -> {
      throw new IllegalArgumentException("resource name: " + p);
    });
    URI url;
    try {
      url = URI.create(node.path("url").asText(""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("resource " + name + ": url is not a URI");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
      throw new IllegalArgumentException("resource " + name + ": url must be http(s)://host/...");
    }
    Duration every = duration(node.path("every"), defaults.every(), name, "every");
    if (every.compareTo(defaults.minEvery()) < 0) {
      throw new IllegalArgumentException("resource " + name + ": every must be at least "
          + Durations.format(defaults.minEvery()));
    }
    Optional<String> sha = Optional.empty();
    if (node.hasNonNull("sha256")) {
      String value = node.path("sha256").asText().toLowerCase(Locale.ROOT);
      if (!SHA256.matcher(value).matches()) {
        throw new IllegalArgumentException("resource " + name + ": sha256 must be 64 hex digits");
      }
      sha = Optional.of(value);
    }
    long maxBytes = defaults.maxBytes();
    JsonNode size = node.path("max-size");
    if (size.isIntegralNumber()) {
      maxBytes = size.asLong();
    } else if (size.isTextual()) {
      maxBytes = ByteSize.parse(size.asText()).bytes();
    }
    if (maxBytes <= 0 || maxBytes > defaults.maxBytes()) {
      throw new IllegalArgumentException("resource " + name + ": max-size must be 1 B.." + defaults.maxBytes()
          + " B");
    }
    Duration timeout = duration(node.path("timeout"), defaults.timeout(), name, "timeout");
    return new ResourceRequest(name, url, every, sha, maxBytes, timeout);
  }

  private static Duration duration(JsonNode node, Duration fallback, String name, String field) {
    if (node.isMissingNode() || node.isNull()) {
      return fallback;
    }
    try {
      Duration d = node.isIntegralNumber() ? Duration.ofSeconds(node.asLong()) : Durations.parse(node.asText());
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("not positive");
      }
      return d;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("resource " + name + ": " + field + " must be a duration like 30s");
    }
  }

  /** True when both ask for the same download (who asked aside). */
  public boolean sameDownload(ResourceRequest other) {
    return url.equals(other.url) && sha256.equals(other.sha256);
  }
}
