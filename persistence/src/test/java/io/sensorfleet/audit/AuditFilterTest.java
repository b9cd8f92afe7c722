package io.sensorfleet.audit;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuditFilterTest {

  @Test
  void rejects_a_limit_below_one() {
    assertThrows(IllegalArgumentException.class, () -> AuditFilter.recent(0));
  }

  @Test
  void rejects_a_time_range_that_ends_before_it_starts() {
    var filter = AuditFilter.recent(10).withFrom(Instant.parse("2026-01-02T00:00:00Z"));

    assertThrows(IllegalArgumentException.class, () -> filter.withTo(Instant.parse("2026-01-01T00:00:00Z")));
  }

  @Test
  void rejects_a_principal_that_is_not_a_wire_form_or_a_kind() {
    assertThrows(IllegalArgumentException.class, () -> AuditFilter.recent(10).withPrincipal("alice"));
  }

  @Test
  void accepts_a_bare_principal_kind() {
    AuditFilter.recent(10).withPrincipal("user");
  }
}
