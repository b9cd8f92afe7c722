package io.sensorfleet.audit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sensorfleet.audit.AuditFilter;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.core.InstrumentId;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditSqlTest {

  static final String SELECT = "SELECT seq, occurred_at, principal, principal_kind, action, kind, target, instrument,"
      + " outcome, detail FROM audit_entry";

  @Test
  void selects_the_newest_entries_without_a_where_clause_when_unfiltered() {
    assertEquals(new AuditSql.Query(SELECT + " ORDER BY seq DESC LIMIT ?", List.of(50)),
        AuditSql.select(AuditFilter.recent(50), 50));
  }

  @Test
  void ands_every_filter_as_a_parameter_in_declaration_order() {
    var from = Instant.parse("2026-11-01T00:00:00Z");
    var to = Instant.parse("2026-11-02T00:00:00Z");
    var filter = AuditFilter.recent(20).withFrom(from).withTo(to).withInstrument(InstrumentId.of("ids"))
        .withPrincipal("user:alice").withAction("instrument.start").withKind(AuditKind.LIFECYCLE)
        .withOutcome(Outcome.DENIED).withBeforeSeq(900);

    assertEquals(new AuditSql.Query(SELECT + " WHERE occurred_at >= ? AND occurred_at < ? AND instrument = ?"
            + " AND principal = ? AND action = ? AND kind = ? AND outcome = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
            List.of(OffsetDateTime.ofInstant(from, ZoneOffset.UTC), OffsetDateTime.ofInstant(to, ZoneOffset.UTC),
                "ids", "user:alice", "instrument.start", "lifecycle", "denied", 900L, 20)),
        AuditSql.select(filter, 20));
  }

  @Test
  void filters_on_the_principal_kind_when_given_a_bare_kind() {
    assertEquals(SELECT + " WHERE principal_kind = ? ORDER BY seq DESC LIMIT ?",
        AuditSql.select(AuditFilter.recent(5).withPrincipal("instrument"), 5).sql());
  }

  @Test
  void upserts_entries_without_overwriting_on_postgres() {
    assertEquals("INSERT INTO audit_entry (seq, occurred_at, principal, principal_kind, action, kind, target,"
            + " instrument, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING",
        AuditSql.upsertEntry(io.sensorfleet.audit.AuditSettings.Dialect.POSTGRES));
  }
}
