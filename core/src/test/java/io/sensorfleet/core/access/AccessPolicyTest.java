package io.sensorfleet.core.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Operation.Area;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {

  static final InstrumentId IDS = InstrumentId.of("ids");
  static final InstrumentId DNS = InstrumentId.of("dns");

  @Test
  void a_viewer_reads_and_nothing_else() {
    assertTrue(AccessPolicy.allows(Role.VIEWER, Set.of(), Area.READ));
    for (Area area : Set.of(Area.LIFECYCLE, Area.CONFIG, Area.RETENTION, Area.USERS)) {
      assertFalse(AccessPolicy.allows(Role.VIEWER, Set.of(), area), area.name());
    }
  }

  @Test
  void an_operator_runs_instruments_but_does_not_manage_users() {
    for (Area area : Set.of(Area.READ, Area.LIFECYCLE, Area.CONFIG, Area.RETENTION)) {
      assertTrue(AccessPolicy.allows(Role.OPERATOR, Set.of(), area), area.name());
    }
    assertFalse(AccessPolicy.allows(Role.OPERATOR, Set.of(), Area.USERS));
  }

  @Test
  void an_admin_may_do_everything() {
    for (Area area : Area.values()) {
      assertTrue(AccessPolicy.allows(Role.ADMIN, Set.of(), area), area.name());
    }
    assertTrue(AccessPolicy.allows(Role.ADMIN, Set.of(), new Operation.OpenUi(IDS)));
  }

  @Test
  void an_instrument_ui_needs_a_grant_for_that_instrument_below_admin() {
    assertTrue(AccessPolicy.allows(Role.VIEWER, Set.of(IDS), new Operation.OpenUi(IDS)));
    assertFalse(AccessPolicy.allows(Role.VIEWER, Set.of(IDS), new Operation.OpenUi(DNS)));
    assertFalse(AccessPolicy.allows(Role.OPERATOR, Set.of(), new Operation.OpenUi(IDS)));
  }

  @Test
  void roles_parse_from_their_wire_form_only() {
    assertEquals(Role.OPERATOR, Role.fromWire("Operator"));
    assertThrows(IllegalArgumentException.class, () -> Role.fromWire("root"));
  }
}
