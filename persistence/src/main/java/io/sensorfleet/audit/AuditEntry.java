package io.sensorfleet.audit;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.JsonSerializable;
import java.time.Instant;
import java.util.Optional;

/**
 * One recorded audit entry, as {@link AuditLog} replies it and {@link AuditQueries} returns it.
 *
 * @param seq the journal sequence number of the {@code audit-log} persistence id: 1, 2, 3… with no gaps, a total
 *     order and the paging cursor ({@link AuditFilter#beforeSeq()})
 * @param occurredAt when AuditLog recorded it (from its {@code Clock}, truncated to microseconds so it survives
 *     every database unchanged)
 */
public record AuditEntry(long seq, Instant occurredAt, Principal principal, String action, AuditKind kind,
                         String target, Optional<InstrumentId> instrument, Outcome outcome, String detail)
    implements JsonSerializable {}
