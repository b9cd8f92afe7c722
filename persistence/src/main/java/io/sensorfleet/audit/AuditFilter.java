package io.sensorfleet.audit;

import io.sensorfleet.core.InstrumentId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A query over the audit read side: every present field narrows it (AND); results are newest first.
 *
 * @param from entries that occurred at or after this instant (inclusive)
 * @param to entries that occurred before this instant (exclusive)
 * @param instrument entries about this Instrument
 * @param principal a principal's wire form ({@code "user:alice"}, {@code "instrument:ids"}, {@code "platform"}),
 *     or just {@code "user"} or {@code "instrument"} for every principal of that kind
 * @param action exactly this action, e.g. {@code instrument.start}
 * @param beforeSeq keyset paging cursor: only entries with a smaller seq. For the next page pass the seq of the
 *     last (oldest) entry of this page.
 * @param limit at most this many entries, at least 1; {@link AuditQueries} caps it at
 *     {@code sensor.audit.query.max-limit}
 */
public record AuditFilter(Optional<Instant> from, Optional<Instant> to, Optional<InstrumentId> instrument,
                          Optional<String> principal, Optional<String> action, Optional<AuditKind> kind,
                          Optional<Outcome> outcome, Optional<Long> beforeSeq, int limit) {

  public AuditFilter {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(instrument, "instrument");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(beforeSeq, "beforeSeq");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
      throw new IllegalArgumentException("'from' (" + from.get() + ") is after 'to' (" + to.get() + ")");
    }
    if (beforeSeq.isPresent() && beforeSeq.get() < 1) {
      throw new IllegalArgumentException("beforeSeq must be at least 1, was " + beforeSeq.get());
    }
    principal.ifPresent(AuditFilter::checkPrincipal);
  }

  /** The newest {@code limit} entries, unfiltered. */
  public static AuditFilter recent(int limit) {
    return new AuditFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), limit);
  }

  public AuditFilter withFrom(Instant value) {
    return new AuditFilter(Optional.of(value), to, instrument, principal, action, kind, outcome, beforeSeq, limit);
  }

  public AuditFilter withTo(Instant value) {
    return new AuditFilter(from, Optional.of(value), instrument, principal, action, kind, outcome, beforeSeq, limit);
  }

  public AuditFilter withInstrument(InstrumentId value) {
    return new AuditFilter(from, to, Optional.of(value), principal, action, kind, outcome, beforeSeq, limit);
  }

  public AuditFilter withPrincipal(String value) {
    return new AuditFilter(from, to, instrument, Optional.of(value), action, kind, outcome, beforeSeq, limit);
  }

  public AuditFilter withPrincipal(Principal value) {
    return withPrincipal(value.toString());
  }

  public AuditFilter withAction(String value) {
    return new AuditFilter(from, to, instrument, principal, Optional.of(value), kind, outcome, beforeSeq, limit);
  }

  public AuditFilter withKind(AuditKind value) {
    return new AuditFilter(from, to, instrument, principal, action, Optional.of(value), outcome, beforeSeq, limit);
  }

  public AuditFilter withOutcome(Outcome value) {
    return new AuditFilter(from, to, instrument, principal, action, kind, Optional.of(value), beforeSeq, limit);
  }

  public AuditFilter withBeforeSeq(long value) {
    return new AuditFilter(from, to, instrument, principal, action, kind, outcome, Optional.of(value), limit);
  }

  public AuditFilter withLimit(int value) {
    return new AuditFilter(from, to, instrument, principal, action, kind, outcome, beforeSeq, value);
  }

  /** True when the principal filter names a whole kind ({@code "user"}, {@code "instrument"}) rather than one principal. */
  public static boolean isPrincipalKind(String principal) {
    return principal.equals(Principal.Kind.USER.wire()) || principal.equals(Principal.Kind.INSTRUMENT.wire());
  }

  private static void checkPrincipal(String p) {
    if (!isPrincipalKind(p)) {
      Principal.parse(p); // throws IllegalArgumentException with a readable message
    }
  }
}
