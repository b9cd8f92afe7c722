package io.sensorfleet.core.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The journal stores manifests as JSON through a plain ObjectMapper with the modules Pekko registers. */
class ManifestJsonTest {

  // ParameterNamesModule(PROPERTIES) as Pekko registers it: without DELEGATING creators, single-value types
  // such as ImageAlias could not be read back from the journal.
  static final ObjectMapper JSON = new ObjectMapper().registerModule(new Jdk8Module()).registerModule(new JavaTimeModule())
      .registerModule(new ParameterNamesModule(JsonCreator.Mode.PROPERTIES));

  @Test
  void a_full_manifest_survives_a_json_round_trip() throws Exception {
    var manifest = Manifests.parsed(Manifests.FULL);
    assertEquals(manifest, JSON.readValue(JSON.writeValueAsString(manifest), InstrumentManifest.class));
  }

  @Test
  void a_minimal_manifest_survives_a_json_round_trip() throws Exception {
    var manifest = Manifests.parsed(Manifests.MINIMAL);
    assertEquals(manifest, JSON.readValue(JSON.writeValueAsString(manifest), InstrumentManifest.class));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{mode: none}", "{mode: passive, filter: \"udp port 53\"}", "{mode: bridged, bridge: br-lan}",
      "{mode: dedicated, interface: eth2}", "{mode: bridged, bridge: br-lan, address: 10.0.0.2/24, gateway: 10.0.0.1}",
      "{mode: dedicated, interface: eth2, address: 192.168.1.9/16, dns: [192.168.0.53]}"})
  void every_network_mode_survives_a_json_round_trip(String network) throws Exception {
    var manifest = Manifests.parsed(Manifests.minimalWith("network: " + network));
    assertEquals(manifest, JSON.readValue(JSON.writeValueAsString(manifest), InstrumentManifest.class));
  }

  @Test
  void the_network_mode_is_written_by_name_never_by_class() throws Exception {
    String json = JSON.writeValueAsString(new NetworkMode.Dedicated("eth2"));
    assertEquals("{\"mode\":\"dedicated\",\"interface\":\"eth2\"}", json);
  }

  @Test
  void a_network_mode_journaled_before_addresses_existed_reads_as_without_one() throws Exception {
    assertEquals(new NetworkMode.Bridged("br-lan"),
        JSON.readValue("{\"mode\":\"bridged\",\"bridge\":\"br-lan\"}", NetworkMode.class));
  }

  @Test
  void sizes_and_durations_are_written_readably() throws Exception {
    String json = JSON.writeValueAsString(Manifests.parsed(Manifests.FULL));
    assertFalse(json.contains("io.sensorfleet"), json);
    assertEquals("\"512MiB\"", JSON.writeValueAsString(ByteSize.ofMebibytes(512)));
    assertEquals("{\"interval\":\"PT20S\",\"timeout\":\"PT5S\",\"failures-before-restart\":5,"
        + "\"start-period\":\"PT1M\"}",
        JSON.writeValueAsString(Manifests.parsed(Manifests.FULL).health()));
  }

  @Test
  void a_health_journaled_before_the_start_period_existed_reads_as_none() throws Exception {
    String json = "{\"interval\":\"PT10S\",\"timeout\":\"PT3S\",\"failures-before-restart\":3}";
    assertEquals(Health.DEFAULT, JSON.readValue(json, Health.class));
  }

  @Test
  void json_is_validated_like_yaml() {
    String json = "{\"interval\":\"PT5S\",\"timeout\":\"PT5S\",\"failures-before-restart\":3}";
    assertThrows(ValueInstantiationException.class, () -> JSON.readValue(json, Health.class));
  }
}
