package io.sensorfleet.instruments.rulemanager;

import com.fasterxml.jackson.databind.JsonNode;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.instruments.support.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rule-manager's configuration: the rulesets it holds and where each goes, e.g.
 * {@code {"rulesets":[{"name":"demo","target":"dns-sensor","patterns":["*.evil.example"]}],"resend-seconds":60}}.
 *
 * @param rulesets every ruleset, each (target, name) once; may be empty
 * @param resend how often every ruleset is sent again ({@code resend-seconds}, a number above 0 up to 86400;
 *     default 60), so a target that restarted and forgot its rules gets them back
 */
public record ManagerConfig(List<Rules> rulesets, Duration resend) {

  public static final Duration DEFAULT_RESEND = Duration.ofSeconds(60);
  public static final int MAX_RULESETS = 1000;
  public static final int MAX_PATTERNS = 10_000;
  private static final double MAX_RESEND_SECONDS = 86_400;
  private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  /** The dns-sensor's glob grammar (docs/reference-instruments.md), checked here so a typo is a config-reject. */
  private static final Pattern VALID_PATTERN = Pattern.compile("[a-z0-9_*?-]+(?:\\.[a-z0-9_*?-]+)*\\.?");

  public ManagerConfig {
    rulesets = List.copyOf(rulesets);
  }

  /** One ruleset as configured: its name, the Instrument it is for, and its patterns (lower case). */
  public record Rules(String name, InstrumentId target, List<String> patterns) {
    public Rules {
      patterns = List.copyOf(patterns);
    }
  }

  /** What a configuration said: valid, or why not, in words for the operator. */
  public sealed interface Parsed {
    record Valid(ManagerConfig config) implements Parsed {}

    record Invalid(String reason) implements Parsed {}
  }

  public static Parsed parse(RawJson json) {
    try {
      return new Parsed.Valid(read(Json.read(json)));
    } catch (IllegalArgumentException e) {
      return new Parsed.Invalid(e.getMessage());
    }
  }

  private static ManagerConfig read(JsonNode tree) {
    require(tree.isObject(), "the configuration must be a JSON object");
    onlyFields(tree, "", Set.of("rulesets", "resend-seconds"));
    Duration resend = DEFAULT_RESEND;
    JsonNode seconds = tree.path("resend-seconds");
    if (!seconds.isMissingNode()) {
      require(seconds.isNumber() && seconds.asDouble() > 0 && seconds.asDouble() <= MAX_RESEND_SECONDS,
          "resend-seconds must be a number of seconds above 0, at most " + (long) MAX_RESEND_SECONDS);
      resend = Duration.ofNanos(Math.max(1_000_000, Math.round(seconds.asDouble() * 1e9)));
    }
    JsonNode list = tree.path("rulesets");
    require(list.isArray() && list.size() <= MAX_RULESETS,
        "rulesets must be a list of at most " + MAX_RULESETS + " rulesets");
    List<Rules> rulesets = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      Rules r = ruleset(list.get(i), "rulesets[" + i + "]");
      require(seen.add(r.target() + "/" + r.name()),
          "rulesets[" + i + "]: ruleset '" + r.name() + "' for " + r.target() + " is listed twice");
      rulesets.add(r);
    }
    return new ManagerConfig(rulesets, resend);
  }

  private static Rules ruleset(JsonNode node, String where) {
    require(node.isObject(), where + " must be an object with name, target and patterns");
    onlyFields(node, where + ".", Set.of("name", "target", "patterns"));
    JsonNode name = node.path("name");
    require(name.isTextual() && VALID_NAME.matcher(name.asText()).matches(),
        where + ".name must be 1 to 64 letters, digits, '.', '_' or '-'");
    JsonNode target = node.path("target");
    require(target.isTextual() && InstrumentId.isValid(target.asText()), where + ".target must be an Instrument id");
    JsonNode patterns = node.path("patterns");
    require(patterns.isArray() && patterns.size() <= MAX_PATTERNS,
        where + ".patterns must be a list of at most " + MAX_PATTERNS + " name patterns");
    List<String> globs = new ArrayList<>();
    for (JsonNode p : patterns) {
      String glob = p.isTextual() ? p.asText().toLowerCase(Locale.ROOT) : "";
      require(glob.length() <= 254 && VALID_PATTERN.matcher(glob).matches(), where + ".patterns: '" + p.asText()
          + "' is not a domain-name glob (letters, digits, '-', '_', '.', '*', '?')");
      globs.add(glob);
    }
    return new Rules(name.asText(), InstrumentId.of(target.asText()), globs);
  }

  private static void onlyFields(JsonNode node, String prefix, Set<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      require(known.contains(field), "unknown field '" + prefix + field + "'; known: "
          + String.join(", ", known.stream().sorted().toList()));
    }
  }

  private static void require(boolean ok, String reason) {
    if (!ok) {
      throw new IllegalArgumentException(reason);
    }
  }
}
