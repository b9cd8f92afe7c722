package io.sensorfleet.core.manifest;

import static io.sensorfleet.core.manifest.Manifests.errors;
import static io.sensorfleet.core.manifest.Manifests.minimalWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One mistake per row; each must give exactly one error, at the right path, with a telling reason. */
class InvalidManifestTest {

  static final String DOC = ManifestError.DOCUMENT;

  static Stream<Arguments> invalid_manifests() {
    return Stream.of(
        row("malformed id", "id: Bad_Id\nimage: sensorfleet/base", "id", "invalid instrument id 'Bad_Id'"),
        row("missing id", "image: sensorfleet/base", "id", "is required"),
        row("missing image", "id: ids", "image", "is required"),
        row("image from a remote", "id: ids\nimage: \"images:alpine/3.19\"", "image", "invalid image alias"),
        row("image path escape", "id: ids\nimage: ../etc", "image", "invalid image alias '../etc'"),
        row("description on two lines", minimalWith("description: \"a\\nb\""), "description", "one line"),
        row("command as one string", minimalWith("command: /bin/sh -c x"), "command", "expected a list, got a string"),
        row("command argument not a string", minimalWith("command: [run, 5]"), "command[1]", "expected a string"),
        row("unknown network mode", minimalWith("network: {mode: host}"), "network.mode",
            "unknown network mode 'host'"),
        row("network without a mode", minimalWith("network: {filter: udp}"), "network.mode", "is required"),
        row("bridged without a bridge", minimalWith("network: {mode: bridged}"), "network.bridge", "is required"),
        row("bridge spelled as a boolean", minimalWith("network: {mode: bridged, bridge: true}"), "network.bridge",
            "expected a string, got a boolean (true)"),
        row("dedicated interface with shell syntax", minimalWith("network: {mode: dedicated, interface: \"eth0;x\"}"),
            "network.interface", "invalid interface name"),
        row("filter over two lines", minimalWith("network: {mode: passive, filter: \"udp\\nport 53\"}"),
            "network.filter", "printable ASCII"),
        row("filter on a network without capture", minimalWith("network: {mode: none, filter: udp}"),
            "network.filter", "unknown field"),
        row("fractional size", minimalWith("storage: {persistent: 1.5GiB}"), "storage.persistent", "is not a size"),
        row("lower-case unit", minimalWith("storage: {transient: 10mb}"), "storage.transient", "is not a size"),
        row("negative size", minimalWith("storage: {transient: -1}"), "storage.transient",
            "must be between 0 and 16TiB"),
        row("absurd size", minimalWith("storage: {persistent: 17TiB}"), "storage.persistent", "larger than the maximum"),
        row("storage as a scalar", minimalWith("storage: 1GiB"), "storage", "expected a mapping, got a string"),
        row("too little memory", minimalWith("limits: {memory: 16MiB}"), "limits.memory",
            "must be between 32MiB and 64GiB, got 16MiB"),
        row("zero cpus", minimalWith("limits: {cpus: 0}"), "limits.cpus", "must be between 1 and 64, got 0"),
        row("cpu allowance above 100%", minimalWith("limits: {cpu-allowance: 150%}"), "limits.cpu-allowance",
            "must be between 1 and 100"),
        row("cpu allowance without %", minimalWith("limits: {cpu-allowance: 50}"), "limits.cpu-allowance",
            "write a percentage like 50%"),
        row("processes as a word", minimalWith("limits: {processes: many}"), "limits.processes",
            "expected a whole number, got a string"),
        row("timeout as long as the interval", minimalWith("health: {interval: 5s, timeout: 5s}"), "health.timeout",
            "must be shorter than the interval (5s), got 5s"),
        row("default timeout above a short interval", minimalWith("health: {interval: 2s}"), "health.timeout",
            "(the default)"),
        row("zero interval", minimalWith("health: {interval: 0s}"), "health.interval", "between 1s and 1h"),
        row("duration without a unit", minimalWith("health: {interval: 10}"), "health.interval", "needs a unit"),
        row("zero failures", minimalWith("health: {failures-before-restart: 0}"), "health.failures-before-restart",
            "between 1 and 100"),
        row("start period above an hour", minimalWith("health: {start-period: 2h}"), "health.start-period",
            "between 0s and 1h"),
        row("retention in words", minimalWith("retention: 30 days"), "retention", "is not a duration"),
        row("retention of eleven years", minimalWith("retention: 4000d"), "retention", "between 1m and 3650d"),
        row("unknown top-level field", minimalWith("permisions: []"), "permisions",
            "unknown field (did you mean 'permissions'?)"),
        row("unknown nested field", minimalWith("limits: {memroy: 1GiB}"), "limits.memroy",
            "unknown field (did you mean 'memory'?)"),
        row("ui port out of range", minimalWith("ui: {port: 70000}"), "ui.port", "must be between 1 and 65535"),
        row("ui port as a string", minimalWith("ui: {port: \"8080\"}"), "ui.port", "expected a whole number, got a string"),
        row("ui port is the tcp control port", minimalWith("control: tcp\nui: {port: 7070}"), "ui.port",
            "taken by the tcp control channel"),
        row("unknown control channel", minimalWith("control: http"), "control", "unknown control channel 'http'"),
        row("misspelt permission", minimalWith("permissions: [{sned: ids}]"), "permissions[0].sned",
            "unknown permission (did you mean 'send'?)"),
        row("permission with two actions", minimalWith("permissions: [{send: ids, publish: dns}]"), "permissions[0]",
            "expected one action and its object"),
        row("permission as a bare word", minimalWith("permissions: [subscribe]"), "permissions[0]", "got a string"),
        row("upper-case topic", minimalWith("permissions: [{publish: DNS}]"), "permissions[0].publish",
            "'DNS' is not a valid topic name"),
        row("wildcard request", minimalWith("permissions: [{subscribe: \"*\"}]"), "permissions[0].subscribe",
            "cannot request '*'"),
        row("bad target in the third permission",
            minimalWith("permissions: [{subscribe: dns}, {publish: alerts}, {send: X}]"), "permissions[2].send",
            "'X' is not a valid instrument id"),
        row("repeated permission", minimalWith("permissions: [{subscribe: dns}, {subscribe: dns}]"), "permissions[1]",
            "repeats permissions[0]"),
        row("permissions as a mapping", minimalWith("permissions: {subscribe: dns}"), "permissions",
            "expected a list, got a mapping"),
        row("config as a list", minimalWith("config: [1, 2]"), "config", "must be a mapping"),
        row("YAML syntax error", "id: ids\nimage: [sensorfleet/base\n", DOC, "not valid YAML at line 3, column 1"),
        row("tab indentation in YAML", "id: ids\n\timage: x\n", DOC, "not valid YAML at line 2, column 1"),
        row("broken JSON", "{\"id\": \"ids\",\n\t\"image\": }", DOC, "not valid JSON at line 2"),
        row("empty document", "", DOC, "the manifest is empty"),
        row("only a comment", "# nothing here\n", DOC, "the manifest is empty"),
        row("a list instead of a mapping", "- id: ids\n", DOC, "a manifest is a mapping"),
        row("a bare null", "~", DOC, "a manifest is a mapping (id: ..., image: ...), got nothing"),
        row("duplicate key", "id: ids\nid: other\nimage: sensorfleet/base\n", DOC, "Duplicate field 'id'"),
        row("two documents", Manifests.MINIMAL + "---\nid: other\n", DOC, "line 4, column 1: only one document"),
        row("alias of a scalar", "id: &x ids\nimage: *x\n", DOC, "line 2, column 8: YAML aliases (*x) are not allowed"),
        row("alias bomb", aliasBomb(), DOC, "YAML anchors (&a) are not allowed"),
        row("tag", minimalWith("description: !!python/object:os.system x"), DOC,
            "line 3, column 14: YAML tags ('tag:yaml.org,2002:python/object:os.syste...') are not allowed"),
        row("deep nesting", minimalWith("config: {a: " + "[".repeat(40) + "]".repeat(40) + "}"), DOC,
            "nested deeper than 32 levels"),
        row("document too large", Manifests.MINIMAL + "#" + "x".repeat(ManifestParser.MAX_DOCUMENT_BYTES), DOC,
            "larger than 256 KiB"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void invalid_manifests(String name, String text, String path, String reasonFragment) {
    var errors = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> errors(text));
    assertEquals(1, errors.size(), errors::toString);
    assertEquals(path, errors.getFirst().path(), errors::toString);
    assertTrue(errors.getFirst().reason().contains(reasonFragment), errors::toString);
  }

  private static Arguments row(String name, String text, String path, String reasonFragment) {
    return Arguments.of(name, text, path, reasonFragment);
  }

  /** The "billion laughs": nine levels of ten aliases each would expand to 10^9 strings. */
  private static String aliasBomb() {
    StringBuilder yaml = new StringBuilder(Manifests.MINIMAL).append("config:\n  a: &a [lol, lol]\n");
    char previous = 'a';
    for (char c = 'b'; c <= 'j'; c++) {
      yaml.append("  ").append(c).append(": &").append(c).append(" [")
          .append(String.join(", ", java.util.Collections.nCopies(10, "*" + previous))).append("]\n");
      previous = c;
    }
    return yaml.toString();
  }
}
