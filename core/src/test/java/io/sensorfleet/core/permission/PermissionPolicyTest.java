package io.sensorfleet.core.permission;

import static io.sensorfleet.core.permission.Action.PUBLISH;
import static io.sensorfleet.core.permission.Action.RECEIVE_RESOURCE;
import static io.sensorfleet.core.permission.Action.SEND;
import static io.sensorfleet.core.permission.Action.SUBSCRIBE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class PermissionPolicyTest {

  static final InstrumentId IDS = InstrumentId.of("ids");
  static final InstrumentId DNS_SENSOR = InstrumentId.of("dns-sensor");
  static final InstrumentId PASSIVE_DNS = InstrumentId.of("passive-dns");
  static final InstrumentId ARCHIVER = InstrumentId.of("archiver");

  static final PermissionPolicy POLICY = PermissionPolicy.of(
      new Grant(DNS_SENSOR, PUBLISH, "dns"),
      new Grant(PASSIVE_DNS, SUBSCRIBE, "dns"),
      new Grant(IDS, RECEIVE_RESOURCE, "suricata-rules"),
      Grant.send(IDS, PASSIVE_DNS),
      new Grant(ARCHIVER, SUBSCRIBE, "*"),
      new Grant(ARCHIVER, RECEIVE_RESOURCE, "*"));

  @ParameterizedTest(name = "{0} {2} {1} -> {3}")
  @CsvSource({
      "dns-sensor,  dns,            PUBLISH,          true",
      "dns-sensor,  dns,            SUBSCRIBE,        false",
      "dns-sensor,  dns-v2,         PUBLISH,          false",
      "passive-dns, dns,            SUBSCRIBE,        true",
      "passive-dns, dns,            PUBLISH,          false",
      "ids,         passive-dns,    SEND,             true",
      "passive-dns, ids,            SEND,             false",
      "dns-sensor,  passive-dns,    SEND,             false",
      "ids,         ids,            SEND,             false",
      "ids,         suricata-rules, RECEIVE_RESOURCE, true",
      "ids,         suricata-rules, SUBSCRIBE,        false",
      "ids,         geoip,          RECEIVE_RESOURCE, false",
      "passive-dns, suricata-rules, RECEIVE_RESOURCE, false",
      "archiver,    dns,            SUBSCRIBE,        true",
      "archiver,    alerts.v1,      SUBSCRIBE,        true",
      "archiver,    dns,            PUBLISH,          false",
      "archiver,    geoip,          RECEIVE_RESOURCE, true",
      "archiver,    ids,            SEND,             false",
      "beacon,      dns,            SUBSCRIBE,        false",
      "beacon,      ids,            SEND,             false",
  })
  void decides_by_the_rule_table(String from, String to, Action kind, boolean allowed) {
    assertEquals(allowed, POLICY.decide(InstrumentId.of(from), to, kind).allowed());
  }

  @ParameterizedTest
  @EnumSource(Action.class)
  void the_empty_policy_denies_every_action(Action kind) {
    String to = kind == SEND ? "ids" : "dns";
    assertTrue(PermissionPolicy.empty().decide(PASSIVE_DNS, to, kind).denied());
  }

  @Test
  void allows_agrees_with_decide_for_every_subject_object_and_action() {
    PermissionPolicy policy = POLICY.withGrant(new Grant(ARCHIVER, SUBSCRIBE, "*"))
        .withGrant(Grant.send(IDS, IDS));
    List<String> objects = List.of("ids", "passive-dns", "dns-sensor", "archiver", "dns", "alerts.ids", "geoip",
        "*", "", "Bad Name", "../etc", "x");
    for (InstrumentId from : List.of(IDS, DNS_SENSOR, PASSIVE_DNS, ARCHIVER)) {
      for (String object : objects) {
        for (Action action : Action.values()) {
          assertEquals(policy.decide(from, object, action).allowed(), policy.allows(from, object, action),
              from + " " + action + " " + object);
        }
      }
    }
  }

  @Test
  void a_denial_names_the_request_and_says_default_deny() {
    var decision = POLICY.decide(PASSIVE_DNS, "dns", PUBLISH);
    assertEquals("no grant lets passive-dns publish on dns (default deny)", decision.reason());
  }

  @Test
  void an_allowance_names_the_grant_that_allowed_it() {
    var decision = POLICY.decide(IDS, "passive-dns", SEND);
    assertEquals("allowed by grant 'ids may send to passive-dns'", decision.reason());
  }

  @Test
  void sending_to_itself_is_denied_without_its_own_grant() {
    var decision = POLICY.decideSend(IDS, IDS);
    assertFalse(decision.allowed());
    assertTrue(decision.reason().contains("sending to itself needs its own grant"), decision.reason());
  }

  @Test
  void sending_to_itself_is_allowed_with_its_own_grant() {
    assertTrue(POLICY.withGrant(Grant.send(IDS, IDS)).decideSend(IDS, IDS).allowed());
  }

  @Test
  void a_wildcard_grant_covers_topics_that_appear_later() {
    assertTrue(POLICY.decide(ARCHIVER, "brand-new-topic", SUBSCRIBE).allowed());
  }

  @Test
  void a_wildcard_allowance_names_the_wildcard_grant() {
    assertEquals("allowed by grant 'archiver may subscribe to *'", POLICY.decide(ARCHIVER, "dns", SUBSCRIBE).reason());
  }

  @Test
  void a_concrete_grant_is_named_in_preference_to_an_overlapping_wildcard() {
    var policy = POLICY.withGrant(new Grant(ARCHIVER, SUBSCRIBE, "dns"));
    assertEquals("allowed by grant 'archiver may subscribe to dns'", policy.decide(ARCHIVER, "dns", SUBSCRIBE).reason());
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"*", "DNS", "dns topic", "../etc", ".dns", "dns\n", "-dns",
      "a1234567890123456789012345678901234567890123456789012345678901234"})
  void malformed_topic_names_are_denied_even_under_a_wildcard(String topic) {
    var decision = POLICY.decide(ARCHIVER, topic, SUBSCRIBE);
    assertFalse(decision.allowed());
    assertTrue(decision.reason().startsWith("denied: "), decision.reason());
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"*", "IDS", "passive-dns ", "a", "ids--x"})
  void malformed_instrument_ids_are_denied_as_send_targets(String to) {
    assertTrue(POLICY.decide(IDS, to, SEND).denied());
  }

  @Test
  void revoking_a_grant_denies_what_it_allowed() {
    var revoked = POLICY.withoutGrant(new Grant(PASSIVE_DNS, SUBSCRIBE, "dns"));
    assertTrue(revoked.decide(PASSIVE_DNS, "dns", SUBSCRIBE).denied());
  }

  @Test
  void revoking_a_grant_leaves_the_original_policy_unchanged() {
    POLICY.withoutGrant(new Grant(PASSIVE_DNS, SUBSCRIBE, "dns"));
    assertTrue(POLICY.decide(PASSIVE_DNS, "dns", SUBSCRIBE).allowed());
  }

  @Test
  void revoking_a_wildcard_keeps_an_overlapping_concrete_grant() {
    var policy = POLICY.withGrant(new Grant(ARCHIVER, SUBSCRIBE, "dns"))
        .withoutGrant(new Grant(ARCHIVER, SUBSCRIBE, "*"));
    assertTrue(policy.decide(ARCHIVER, "dns", SUBSCRIBE).allowed());
    assertTrue(policy.decide(ARCHIVER, "alerts", SUBSCRIBE).denied());
  }

  @Test
  void revoking_a_grant_that_is_not_there_returns_the_same_policy() {
    assertSame(POLICY, POLICY.withoutGrant(new Grant(IDS, PUBLISH, "alerts")));
  }

  @Test
  void adding_a_grant_twice_changes_nothing() {
    var grant = new Grant(IDS, PUBLISH, "alerts");
    assertEquals(POLICY.withGrant(grant), POLICY.withGrant(grant).withGrant(grant));
  }

  @Test
  void policies_with_the_same_grants_in_any_order_are_equal() {
    var a = new Grant(IDS, PUBLISH, "alerts");
    var b = new Grant(DNS_SENSOR, PUBLISH, "dns");
    assertEquals(PermissionPolicy.of(a, b), PermissionPolicy.of(b, a, b));
  }

  @Test
  void removing_an_instrument_drops_its_grants_and_every_send_to_it() {
    var policy = POLICY.withGrant(Grant.send(PASSIVE_DNS, IDS)).withoutInstrument(IDS);
    assertEquals(List.of(), policy.grantsFor(IDS));
    assertTrue(policy.decideSend(PASSIVE_DNS, IDS).denied());
  }

  @Test
  void removing_an_instrument_keeps_the_grants_of_others() {
    var policy = POLICY.withoutInstrument(IDS);
    assertTrue(policy.decide(PASSIVE_DNS, "dns", SUBSCRIBE).allowed());
  }

  @Test
  void a_new_grant_takes_effect_in_the_returned_policy() {
    var policy = POLICY.withGrant(new Grant(PASSIVE_DNS, PUBLISH, "dns-stats"));
    assertTrue(policy.decide(PASSIVE_DNS, "dns-stats", PUBLISH).allowed());
  }
}
