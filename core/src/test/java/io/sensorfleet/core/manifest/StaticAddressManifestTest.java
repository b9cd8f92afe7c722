package io.sensorfleet.core.manifest;

import static io.sensorfleet.core.manifest.Manifests.errors;
import static io.sensorfleet.core.manifest.Manifests.parsed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@code network.address} and {@code network.gateway} of bridged and dedicated Instruments. */
class StaticAddressManifestTest {

  private static NetworkMode network(String yaml) {
    return parsed(Manifests.minimalWith("network: " + yaml)).network();
  }

  private static List<ManifestError> networkErrors(String yaml) {
    return errors(Manifests.minimalWith("network: " + yaml));
  }

  @Test
  void a_bridged_instrument_reads_its_address_and_gateway() {
    assertEquals(new NetworkMode.Bridged("br-egress", Optional.of(StaticAddress.of("10.254.0.10/24", "10.254.0.1"))),
        network("{mode: bridged, bridge: br-egress, address: 10.254.0.10/24, gateway: 10.254.0.1}"));
  }

  @Test
  void a_dedicated_instrument_reads_its_address_without_a_gateway() {
    assertEquals(new NetworkMode.Dedicated("eth2", Optional.of(StaticAddress.of("192.168.7.2/30"))),
        network("{mode: dedicated, interface: eth2, address: 192.168.7.2/30}"));
  }

  @Test
  void without_an_address_the_platform_sets_none() {
    assertEquals(Optional.empty(), network("{mode: bridged, bridge: br-lan}").staticAddress());
  }

  @Test
  void the_address_is_offered_to_the_platform_through_the_mode() {
    assertEquals(Optional.of(StaticAddress.of("10.254.0.10/24")),
        network("{mode: bridged, bridge: br-egress, address: 10.254.0.10/24}").staticAddress());
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.254.0.10", "10.254.0/24", "10.254.0.300/24", "010.254.0.10/24", "10.254.0.10/31",
      "10.254.0.10/0", "10.254.0.10/24x", "10.254.0.0/24", "10.254.0.255/24", "127.0.0.2/8", "224.0.0.5/24",
      "169.254.3.4/16", "0.1.2.3/8", "250.1.1.1/8", "fe80::1/64", "", "10.254.0.10/ 24"})
  void an_unusable_address_is_refused_at_network_address(String address) {
    var errors = networkErrors("{mode: bridged, bridge: br-egress, address: '" + address + "'}");
    assertEquals(List.of("network.address"), errors.stream().map(ManifestError::path).toList(), errors::toString);
  }

  @Test
  void an_address_that_is_not_a_string_is_refused() {
    assertEquals("network.address", networkErrors("{mode: bridged, bridge: b, address: 10}").getFirst().path());
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.254.1.1", "10.254.0.10", "10.254.0.0", "10.254.0.255", "10.254.0", "gw"})
  void a_gateway_outside_the_prefix_or_unusable_is_refused_at_network_gateway(String gateway) {
    var errors = networkErrors("{mode: bridged, bridge: br-egress, address: 10.254.0.10/24, gateway: '"
        + gateway + "'}");
    assertEquals(List.of("network.gateway"), errors.stream().map(ManifestError::path).toList(), errors::toString);
  }

  @Test
  void a_gateway_without_an_address_is_refused() {
    var errors = networkErrors("{mode: dedicated, interface: eth2, gateway: 10.0.0.1}");
    assertEquals(List.of("network.gateway"), errors.stream().map(ManifestError::path).toList());
  }

  @Test
  void passive_and_none_take_no_address() {
    assertEquals(List.of("network.address"), networkErrors("{mode: passive, address: 10.0.0.2/24}").stream()
        .map(ManifestError::path).toList());
    assertEquals(List.of("network.address"), networkErrors("{mode: none, address: 10.0.0.2/24}").stream()
        .map(ManifestError::path).toList());
  }

  @Test
  void the_reason_says_what_is_wrong() {
    String reason = networkErrors("{mode: bridged, bridge: b, address: 10.254.0.255/24}").getFirst().reason();
    assertTrue(reason.contains("broadcast"), reason);
    reason = networkErrors("{mode: bridged, bridge: b, address: 10.254.0.10/24, gateway: 10.9.0.1}").getFirst().reason();
    assertTrue(reason.contains("not inside 10.254.0.0/24"), reason);
  }

  @Test
  void an_address_is_written_canonically_with_its_broadcast() {
    var address = StaticAddress.of("10.254.0.10/23", "10.254.1.1");
    assertEquals("10.254.0.10", address.ip());
    assertEquals(23, address.prefixLength());
    assertEquals("10.254.1.255", address.broadcast());
  }

  @Test
  void name_servers_come_with_the_address() {
    assertEquals(List.of("10.254.0.1", "192.168.1.53"), network(
        "{mode: bridged, bridge: b, address: 10.254.0.10/24, dns: [10.254.0.1, 192.168.1.53]}")
        .staticAddress().orElseThrow().dns());
  }

  @Test
  void name_servers_without_an_address_are_refused() {
    assertEquals(List.of("network.dns"), networkErrors("{mode: bridged, bridge: b, dns: [10.0.0.1]}").stream()
        .map(ManifestError::path).toList());
  }

  @Test
  void more_than_three_or_repeated_name_servers_are_refused() {
    assertEquals("network.dns", networkErrors("{mode: bridged, bridge: b, address: 10.0.0.2/24, "
        + "dns: [10.0.0.1, 10.0.0.3, 10.0.0.4, 10.0.0.5]}").getFirst().path());
    assertEquals("network.dns", networkErrors("{mode: bridged, bridge: b, address: 10.0.0.2/24, "
        + "dns: [10.0.0.1, 10.0.0.1]}").getFirst().path());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "224.0.0.1", "255.255.255.255", "10.0.0", "ns1.example"})
  void an_unusable_name_server_is_refused_at_its_index(String server) {
    assertEquals(List.of("network.dns[0]"), networkErrors("{mode: bridged, bridge: b, address: 10.0.0.2/24, dns: ['"
        + server + "']}").stream().map(ManifestError::path).toList());
  }

  @Test
  void the_resolv_conf_lists_the_name_servers_in_order() {
    assertEquals("# written by the sensor from the Instrument's manifest (network.dns)\nnameserver 10.0.0.1\n"
        + "nameserver 9.9.9.9\n", StaticAddress.of("10.0.0.2/24").withDns(List.of("10.0.0.1", "9.9.9.9")).resolvConf());
  }
}
