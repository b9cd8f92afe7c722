package io.sensorfleet.core.permission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class GrantTest {

  static final InstrumentId IDS = InstrumentId.of("ids");

  @ParameterizedTest(name = "{0} {1} is refused: {2}")
  @CsvSource(delimiter = '|', value = {
      "SEND             | *            | '*' cannot be granted for send",
      "SEND             | IDS          | 'IDS' is not a valid instrument id",
      "SEND             | a            | 'a' is not a valid instrument id",
      "PUBLISH          | Alerts       | 'Alerts' is not a valid topic name",
      "PUBLISH          | alerts/x     | 'alerts/x' is not a valid topic name",
      "SUBSCRIBE        | ''           | '' is not a valid topic name",
      "SUBSCRIBE        | dns*         | 'dns*' is not a valid topic name",
      "RECEIVE_RESOURCE | rules v2     | 'rules v2' is not a valid resource name",
  })
  void rejects_objects_that_do_not_fit_the_action(Action action, String object, String reason) {
    var error = assertThrows(IllegalArgumentException.class, () -> new Grant(IDS, action, object));
    assertTrue(error.getMessage().startsWith(reason), error.getMessage());
  }

  @ParameterizedTest
  @EnumSource(value = Action.class, names = "SEND", mode = EnumSource.Mode.EXCLUDE)
  void accepts_a_wildcard_object_for_topics_and_resources(Action action) {
    assertTrue(new Grant(IDS, action, "*").isWildcard());
  }

  @Test
  void describes_itself_as_a_sentence() {
    assertEquals("ids may receive resource suricata-rules",
        new Grant(IDS, Action.RECEIVE_RESOURCE, "suricata-rules").describe());
  }

  @Test
  void a_request_cannot_ask_for_a_wildcard() {
    var error = assertThrows(IllegalArgumentException.class, () -> new PermissionRequest(Action.SUBSCRIBE, "*"));
    assertEquals("a manifest cannot request '*': name the topic name", error.getMessage());
  }

  @Test
  void an_approved_request_becomes_a_grant_for_its_instrument() {
    assertEquals(new Grant(IDS, Action.SUBSCRIBE, "dns"), new PermissionRequest(Action.SUBSCRIBE, "dns").grantTo(IDS));
  }

  @Test
  void a_request_validates_its_object_like_a_grant() {
    assertThrows(IllegalArgumentException.class, () -> new PermissionRequest(Action.PUBLISH, "DNS"));
  }

  @ParameterizedTest
  @EnumSource(Action.class)
  void every_action_is_found_by_its_wire_name(Action action) {
    assertEquals(action, Action.fromWireName(action.wireName()).orElseThrow());
  }
}
