package io.sensorfleet.core.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.NetworkMode;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkAllowlistTest {

  static final InstrumentId HONEYPOT = InstrumentId.of("honeypot");
  static final InstrumentId OTHER = InstrumentId.of("other-honeypot");
  static final NetworkAllowlist SENSOR = new NetworkAllowlist(
      Set.of("br-honeynet", "br-lab"), Set.of("eth2", "eth3"), Set.of("eth1"));

  /** The table: mode, its argument, whether it passes on SENSOR with nothing held, and a word of the reason. */
  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
      "none,      '',          true,  ''",
      "bridged,   br-honeynet, true,  ''",
      "bridged,   br-lab,      true,  ''",
      "bridged,   br-mgmt,     false, 'sensor.bridges lists br-honeynet, br-lab'",
      "bridged,   eth2,        false, 'use mode dedicated'",
      "bridged,   eth1,        false, 'use mode passive'",
      "dedicated, eth2,        true,  ''",
      "dedicated, eth9,        false, 'sensor.interfaces.dedicated lists eth2, eth3'",
      "dedicated, eth1,        false, 'read only by the Capture Engine'",
      "dedicated, br-lab,      false, 'use mode bridged'",
      "passive,   '',          true,  ''",
      "passive,   'udp port 53', true, ''",
  })
  void decides_each_mode_by_what_the_sensor_declares(String kind, String argument, boolean allowed, String reason) {
    NetworkCheck check = SENSOR.check(HONEYPOT, mode(kind, argument), Set.of());
    assertEquals(allowed, check.isAllowed(), check::toString);
    if (!allowed) {
      String text = ((NetworkCheck.Refused) check).reason();
      assertTrue(text.contains(argument) && text.contains(reason), text);
    }
  }

  @Test
  void allows_mode_none_even_when_nothing_is_declared() {
    assertEquals(new NetworkCheck.Allowed(Optional.empty()),
        NetworkAllowlist.nothing().check(HONEYPOT, new NetworkMode.None(), Set.of()));
  }

  @Test
  void refuses_every_bridge_when_none_is_declared() {
    var check = NetworkAllowlist.nothing().check(HONEYPOT, new NetworkMode.Bridged("br0"), Set.of());
    assertEquals(new NetworkCheck.Refused("bridge 'br0' is not offered by this sensor; sensor.bridges is empty"),
        check);
  }

  @Test
  void refuses_passive_when_no_capture_interface_is_declared() {
    var allowlist = new NetworkAllowlist(Set.of("br0"), Set.of("eth2"), Set.of());
    var check = allowlist.check(HONEYPOT, NetworkMode.Passive.everything(), Set.of());
    assertEquals(new NetworkCheck.Refused("mode passive needs a capture interface, and this sensor declares none"
        + " (sensor.interfaces.capture is empty)"), check);
  }

  @Test
  void refuses_a_dedicated_interface_another_instrument_holds() {
    var held = Set.<NetworkClaim>of(new NetworkClaim.DedicatedInterface(OTHER, "eth2"));
    var check = SENSOR.check(HONEYPOT, new NetworkMode.Dedicated("eth2"), held);
    assertEquals(new NetworkCheck.Refused("interface 'eth2' is already dedicated to Instrument 'other-honeypot';"
        + " a dedicated interface has exactly one holder"), check);
  }

  @Test
  void allows_the_other_dedicated_interface_while_one_is_held() {
    var held = Set.<NetworkClaim>of(new NetworkClaim.DedicatedInterface(OTHER, "eth2"));
    assertTrue(SENSOR.check(HONEYPOT, new NetworkMode.Dedicated("eth3"), held).isAllowed());
  }

  @Test
  void allows_an_instrument_its_own_dedicated_interface_again() {
    var held = Set.<NetworkClaim>of(new NetworkClaim.DedicatedInterface(HONEYPOT, "eth2"));
    assertTrue(SENSOR.check(HONEYPOT, new NetworkMode.Dedicated("eth2"), held).isAllowed());
  }

  @Test
  void shares_a_bridge_between_instruments() {
    var held = Set.<NetworkClaim>of(new NetworkClaim.Bridge(OTHER, "br-honeynet"),
        new NetworkClaim.Capture(OTHER));
    assertEquals(new NetworkCheck.Allowed(Optional.of(new NetworkClaim.Bridge(HONEYPOT, "br-honeynet"))),
        SENSOR.check(HONEYPOT, new NetworkMode.Bridged("br-honeynet"), held));
    assertTrue(SENSOR.check(HONEYPOT, NetworkMode.Passive.everything(), held).isAllowed());
  }

  @Test
  void a_shared_claim_on_a_bridge_of_the_same_name_does_not_block_a_dedicated_interface() {
    var held = Set.<NetworkClaim>of(new NetworkClaim.Bridge(OTHER, "eth2"), new NetworkClaim.Capture(OTHER));
    assertTrue(SENSOR.check(HONEYPOT, new NetworkMode.Dedicated("eth2"), held).isAllowed());
  }

  @Test
  void an_allowed_check_yields_the_claim_to_record() {
    assertEquals(Optional.of(new NetworkClaim.DedicatedInterface(HONEYPOT, "eth2")),
        SENSOR.check(HONEYPOT, new NetworkMode.Dedicated("eth2"), Set.of()).claimOrThrow(HONEYPOT));
    assertEquals(Optional.of(new NetworkClaim.Capture(HONEYPOT)),
        SENSOR.check(HONEYPOT, new NetworkMode.Passive("tcp"), Set.of()).claimOrThrow(HONEYPOT));
  }

  @Test
  void a_refused_check_throws_the_typed_refusal_with_its_reason() {
    var refused = assertThrows(NetworkException.Refused.class,
        () -> SENSOR.check(HONEYPOT, new NetworkMode.Bridged("br0"), Set.of()).claimOrThrow(HONEYPOT));
    assertEquals(HONEYPOT, refused.instrument());
    assertTrue(refused.getMessage().startsWith("network refused for Instrument 'honeypot': bridge 'br0'"),
        refused.getMessage());
  }

  @Test
  void only_a_dedicated_interface_claim_is_exclusive() {
    assertTrue(new NetworkClaim.DedicatedInterface(HONEYPOT, "eth2").exclusive());
    assertFalse(new NetworkClaim.Bridge(HONEYPOT, "br0").exclusive());
    assertFalse(new NetworkClaim.Capture(HONEYPOT).exclusive());
    assertEquals(Optional.empty(), NetworkClaim.of(HONEYPOT, new NetworkMode.None()));
  }

  @Test
  void rejects_a_name_declared_for_two_uses() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new NetworkAllowlist(Set.of("br0"), Set.of("eth2"), Set.of("eth2", "eth1")));
    assertEquals("eth2 listed in both sensor.interfaces.dedicated and sensor.interfaces.capture;"
        + " each bridge or interface has one use", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new NetworkAllowlist(Set.of("br0"), Set.of("br0"), Set.of()));
    assertThrows(IllegalArgumentException.class,
        () -> new NetworkAllowlist(Set.of("eth1"), Set.of(), Set.of("eth1")));
  }

  @Test
  void rejects_names_linux_would_not_accept() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new NetworkAllowlist(Set.of("a-name-too-long-for-linux"), Set.of(), Set.of()));
    assertTrue(e.getMessage().startsWith("sensor.bridges: invalid interface name 'a-name-too-long-for-linux'"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new NetworkAllowlist(Set.of(), Set.of("eth/2"), Set.of()));
    assertThrows(IllegalArgumentException.class, () -> new NetworkAllowlist(Set.of(), Set.of(), Set.of("")));
  }

  @Test
  void lists_declared_names_sorted_whatever_order_they_came_in() {
    var check = SENSOR.check(HONEYPOT, new NetworkMode.Bridged("br-x"), Set.of());
    assertInstanceOf(NetworkCheck.Refused.class, check);
    assertTrue(((NetworkCheck.Refused) check).reason().endsWith("sensor.bridges lists br-honeynet, br-lab"));
  }

  private static NetworkMode mode(String kind, String argument) {
    return switch (kind) {
      case "none" -> new NetworkMode.None();
      case "bridged" -> new NetworkMode.Bridged(argument);
      case "dedicated" -> new NetworkMode.Dedicated(argument);
      case "passive" -> new NetworkMode.Passive(argument);
      default -> throw new IllegalArgumentException(kind);
    };
  }
}
