package io.sensorfleet.core.access;

import io.sensorfleet.core.InstrumentId;
import java.util.Set;

/**
 * Who may do what in Fleet Management: a pure function of the user's role and UI grants, so the table is tested
 * without HTTP or actors. Roles are cumulative (admin ⊃ operator ⊃ viewer). An Instrument's UI is reached by
 * admins, and by anyone else only with a grant for that Instrument: UIs can change the tool's own state, which
 * roles alone do not describe.
 */
public final class AccessPolicy {

  private AccessPolicy() {}

  /** True when a user with {@code role} and {@code uiGrants} may do {@code operation}. */
  public static boolean allows(Role role, Set<InstrumentId> uiGrants, Operation operation) {
    return switch (operation) {
      case Operation.Area area -> switch (area) {
        case READ -> true;
        case LIFECYCLE, CONFIG, RETENTION -> role == Role.OPERATOR || role == Role.ADMIN;
        case USERS, PERMISSIONS, NETWORK -> role == Role.ADMIN;
      };
      case Operation.OpenUi ui -> role == Role.ADMIN || uiGrants.contains(ui.instrument());
    };
  }
}
