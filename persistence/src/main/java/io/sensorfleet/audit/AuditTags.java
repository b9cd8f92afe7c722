package io.sensorfleet.audit;

import io.sensorfleet.core.InstrumentId;
import java.util.Set;

/**
 * The tags every audit event is stored with. Tags are stored forever: add new ones, never change these.
 *
 * <ul>
 *   <li>{@value #ALL} on every event: the read side follows it with {@code eventsByTag};</li>
 *   <li>{@code kind:<kind>}, e.g. {@code kind:lifecycle};</li>
 *   <li>{@code instrument:<id>} when the event concerns an Instrument.</li>
 * </ul>
 */
public final class AuditTags {

  /** Carried by every audit event. */
  public static final String ALL = "audit";

  private AuditTags() {}

  public static String kind(AuditKind kind) {
    return "kind:" + kind.wire();
  }

  public static String instrument(InstrumentId id) {
    return "instrument:" + id.value();
  }

  public static Set<String> tagsFor(AuditLog.Event event) {
    return switch (event) {
      case AuditLog.Recorded r -> r.instrument()
          .map(id -> Set.of(ALL, kind(r.kind()), instrument(id)))
          .orElseGet(() -> Set.of(ALL, kind(r.kind())));
    };
  }
}
