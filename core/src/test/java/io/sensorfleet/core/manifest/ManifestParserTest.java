package io.sensorfleet.core.manifest;

import static io.sensorfleet.core.manifest.Manifests.errors;
import static io.sensorfleet.core.manifest.Manifests.parsed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.permission.Action;
import io.sensorfleet.core.permission.PermissionRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestParserTest {

  @Test
  void reads_every_field_of_a_full_manifest() {
    var expected = new InstrumentManifest(
        InstrumentId.of("passive-dns"),
        ImageAlias.of("sensorfleet/jvm"),
        Optional.of("Passive DNS database"),
        List.of("java", "-jar", "/opt/pdns.jar"),
        new NetworkMode.Passive("udp port 53"),
        new Storage(ByteSize.ofGibibytes(1), ByteSize.ofMebibytes(32)),
        Duration.ofDays(14),
        new Health(Duration.ofSeconds(20), Duration.ofSeconds(5), 5, Duration.ofMinutes(1)),
        new Limits(2, OptionalInt.of(50), ByteSize.ofMebibytes(512), 128),
        Optional.of(new Ui(8080)),
        ControlChannel.TCP,
        List.of(new PermissionRequest(Action.SUBSCRIBE, "dns"), new PermissionRequest(Action.PUBLISH, "dns-stats"),
            new PermissionRequest(Action.SEND, "ids"), new PermissionRequest(Action.RECEIVE_RESOURCE, "geoip")),
        fullConfig());
    assertEquals(expected, parsed(Manifests.FULL));
  }

  private static ObjectNode fullConfig() {
    ObjectNode config = JsonNodeFactory.instance.objectNode();
    config.putArray("zones").add("example.org");
    return config.put("depth", 3);
  }

  @Test
  void fills_in_every_default_for_a_minimal_manifest() {
    assertEquals(InstrumentManifest.withDefaults(InstrumentId.of("ids"), ImageAlias.of("sensorfleet/base")),
        parsed(Manifests.MINIMAL));
  }

  @Test
  void the_defaults_are_least_privilege() {
    var manifest = parsed(Manifests.MINIMAL);
    assertEquals(new NetworkMode.None(), manifest.network());
    assertEquals(List.of(), manifest.permissions());
    assertEquals(ByteSize.ZERO, manifest.storage().persistent());
    assertEquals(ControlChannel.SOCKET, manifest.control());
  }

  @Test
  void a_passive_network_without_a_filter_sees_all_traffic() {
    assertEquals(NetworkMode.Passive.everything(), parsed(Manifests.minimalWith("network: {mode: passive}")).network());
  }

  @Test
  void reads_bridged_and_dedicated_networks() {
    assertEquals(new NetworkMode.Bridged("br-lan"),
        parsed(Manifests.minimalWith("network: {mode: bridged, bridge: br-lan}")).network());
    assertEquals(new NetworkMode.Dedicated("eth2"),
        parsed(Manifests.minimalWith("network: {mode: dedicated, interface: eth2}")).network());
  }

  @Test
  void a_size_may_be_a_plain_number_of_bytes() {
    assertEquals(ByteSize.ofMebibytes(64),
        parsed(Manifests.minimalWith("limits: {memory: 67108864}")).limits().memory());
  }

  @Test
  void a_null_optional_field_means_its_default() {
    assertEquals(Optional.empty(), parsed(Manifests.minimalWith("ui:\ndescription: ~")).ui());
  }

  @Test
  void yes_and_no_are_strings_not_booleans() {
    assertEquals(new NetworkMode.Bridged("no"), parsed(Manifests.minimalWith("network: {mode: bridged, bridge: no}")).network());
  }

  @Test
  void reads_json_indented_with_tabs() {
    String json = "{\n\t\"id\": \"ids\",\n\t\"image\": \"sensorfleet/base\",\n\t\"limits\": {\n\t\t\"cpus\": 2\n\t}\n}";
    assertEquals(2, parsed(json).limits().cpus());
  }

  @Test
  void reads_a_yaml_flow_mapping_that_starts_like_json() {
    assertEquals(InstrumentId.of("ids"), parsed("{\"id\": ids, image: sensorfleet/base}").id());
  }

  @Test
  void ignores_a_byte_order_mark() {
    assertEquals(InstrumentId.of("ids"), parsed("\uFEFF" + Manifests.MINIMAL).id());
  }

  @Test
  void reports_every_problem_at_once() {
    var paths = errors("""
        id: IDS
        network: {mode: bridged}
        limits: {memory: 1MiB, cpus: 0}
        permissions: [{publish: dns}, {subscribe: Bad}]
        colour: blue
        """).stream().map(ManifestError::path).toList();
    assertEquals(List.of("id", "image", "network.bridge", "limits.cpus", "limits.memory", "permissions[1].subscribe",
        "colour"), paths);
  }

  @Test
  void a_syntax_error_names_its_line_and_column() {
    var errors = errors("id: ids\nimage: sensorfleet/base\nlimits: {cpus: 1\n");
    assertEquals(1, errors.size());
    assertEquals(ManifestError.DOCUMENT, errors.getFirst().path());
    assertTrue(errors.getFirst().reason().startsWith("not valid YAML at line 4, column 1: "), errors.toString());
  }

  @Test
  void parse_or_throw_lists_every_error_in_its_message() {
    var error = assertThrows(InvalidManifestException.class,
        () -> ManifestParser.parseOrThrow("id: ids\nimage: sensorfleet/base\nui: {port: 0}\ncontrol: pigeon\n"));
    assertEquals("""
        invalid instrument manifest text (2 errors):
          ui.port: must be between 1 and 65535, got 0
          control: unknown control channel 'pigeon', expected socket or tcp""", error.getMessage());
    assertEquals(2, error.errors().size());
  }

  @Test
  void parse_or_throw_returns_a_valid_manifest() {
    assertEquals(InstrumentId.of("ids"), ManifestParser.parseOrThrow(Manifests.MINIMAL).id());
  }

  @Test
  void reads_a_manifest_file(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("ids.yaml"), Manifests.FULL);
    assertEquals(parsed(Manifests.FULL), ManifestParser.parseOrThrow(file));
  }

  @Test
  void a_missing_file_is_an_error_not_an_exception(@TempDir Path dir) {
    var result = ManifestParser.parse(dir.resolve("missing.yaml"));
    var invalid = assertInstanceOf(ManifestParseResult.Invalid.class, result);
    assertTrue(invalid.errors().getFirst().reason().startsWith("cannot read "), invalid.toString());
  }

  @Test
  void a_file_that_is_not_utf8_is_an_error(@TempDir Path dir) throws Exception {
    Path file = Files.write(dir.resolve("latin1.yaml"), "id: ids\ndescription: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    var invalid = assertInstanceOf(ManifestParseResult.Invalid.class, ManifestParser.parse(file));
    assertEquals(List.of(new ManifestError(ManifestError.DOCUMENT, "not UTF-8 text")), invalid.errors());
  }

  @Test
  void a_file_above_the_size_limit_is_not_read_whole(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("big.yaml"), Manifests.MINIMAL + "#" + "x".repeat(300 * 1024));
    var invalid = assertInstanceOf(ManifestParseResult.Invalid.class, ManifestParser.parse(file));
    assertEquals(List.of(new ManifestError(ManifestError.DOCUMENT, "larger than 256 KiB")), invalid.errors());
  }

  @Test
  void the_size_limit_counts_utf8_bytes_not_characters() {
    String text = Manifests.minimalWith("description: " + "\u00e9".repeat(ManifestParser.MAX_DOCUMENT_BYTES / 2));
    assertEquals(List.of(new ManifestError(ManifestError.DOCUMENT, "larger than 256 KiB")), errors(text));
  }

  @Test
  void config_is_a_private_copy() {
    var manifest = parsed(Manifests.FULL);
    ((ObjectNode) manifest.config()).put("depth", 99);
    assertEquals(3, manifest.config().get("depth").intValue());
  }
}
