package io.sensorfleet.http.json;

import io.sensorfleet.audit.AuditEntry;
import java.time.Instant;

/** One audit entry as Fleet Management shows it (and the column order of the CSV export). */
@com.fasterxml.jackson.annotation.JsonPropertyOrder({"seq", "occurredAt", "principal", "action", "kind", "target",
    "instrument", "outcome", "detail"})
public record AuditEntryView(
    long seq,
    Instant occurredAt,
    String principal,
    String action,
    String kind,
    String target,
    String instrument,
    String outcome,
    String detail) {

  public static AuditEntryView of(AuditEntry e) {
    return new AuditEntryView(
        e.seq(),
        e.occurredAt(),
        e.principal().toString(),
        e.action(),
        e.kind().name().toLowerCase(java.util.Locale.ROOT),
        e.target(),
        e.instrument().map(Object::toString).orElse(null),
        e.outcome().name().toLowerCase(java.util.Locale.ROOT),
        e.detail());
  }
}
