package io.sensorfleet.audit;

import io.sensorfleet.core.InstrumentId;
import java.util.Objects;
import java.util.Optional;

/**
 * What a caller asks {@link AuditLog} to record. The log adds the sequence number and the time.
 *
 * @param principal who did it
 * @param action what was done, a short dotted verb such as {@code instrument.start} (1 to {@value #MAX_ACTION} characters)
 * @param kind the area it belongs to (also a tag)
 * @param target what it was done to, e.g. an instrument id or a config key; empty when nothing in particular
 *     (at most {@value #MAX_TARGET} characters)
 * @param instrument the Instrument it concerns, if any (also a tag, and the read side's most used filter)
 * @param outcome how it ended
 * @param detail free text for people; longer than {@value #MAX_DETAIL} characters is cut, ending with "…"
 *     (NUL characters in target and detail become U+FFFD)
 */
public record AuditRequest(Principal principal, String action, AuditKind kind, String target,
                           Optional<InstrumentId> instrument, Outcome outcome, String detail) {

  public static final int MAX_ACTION = 128;
  public static final int MAX_TARGET = 256;
  /** The read side's {@code detail} column holds this many characters. */
  public static final int MAX_DETAIL = 4000;

  public AuditRequest {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(instrument, "instrument (use Optional.empty())");
    // NUL cannot be stored in PostgreSQL text columns (the read side's): replace it rather than fail the audit.
    target = target == null ? "" : target.replace('\0', '\uFFFD');
    detail = detail == null ? "" : detail.replace('\0', '\uFFFD');
    if (action == null || action.isBlank() || action.length() > MAX_ACTION || !action.strip().equals(action)
        || action.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("audit action must be 1 to " + MAX_ACTION
          + " printable characters without surrounding spaces");
    }
    if (target.length() > MAX_TARGET) {
      throw new IllegalArgumentException("audit target is longer than " + MAX_TARGET + " characters");
    }
    // An audit call must not fail because a message was long: keep the start, which says the most.
    if (detail.length() > MAX_DETAIL) {
      detail = detail.substring(0, MAX_DETAIL - 1) + "…";
    }
  }

  /** Something the platform did by itself, with outcome {@link Outcome#OK}, no target and no instrument. */
  public static AuditRequest platform(String action, AuditKind kind, String detail) {
    return new AuditRequest(Principal.platform(), action, kind, "", Optional.empty(), Outcome.OK, detail);
  }

  /** An action by {@code principal} on nothing in particular; add the rest with the {@code with…} methods. */
  public static AuditRequest of(Principal principal, String action, AuditKind kind, Outcome outcome, String detail) {
    return new AuditRequest(principal, action, kind, "", Optional.empty(), outcome, detail);
  }

  /** This request about Instrument {@code id}: sets {@link #instrument()}, and {@link #target()} too when it is empty. */
  public AuditRequest aboutInstrument(InstrumentId id) {
    return new AuditRequest(principal, action, kind, target.isEmpty() ? id.value() : target, Optional.of(id),
        outcome, detail);
  }

  public AuditRequest withTarget(String newTarget) {
    return new AuditRequest(principal, action, kind, newTarget, instrument, outcome, detail);
  }

  public AuditRequest withInstrument(Optional<InstrumentId> newInstrument) {
    return new AuditRequest(principal, action, kind, target, newInstrument, outcome, detail);
  }

  public AuditRequest withOutcome(Outcome newOutcome) {
    return new AuditRequest(principal, action, kind, target, instrument, newOutcome, detail);
  }

  public AuditRequest withDetail(String newDetail) {
    return new AuditRequest(principal, action, kind, target, instrument, outcome, newDetail);
  }
}
