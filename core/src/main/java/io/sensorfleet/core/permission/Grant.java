package io.sensorfleet.core.permission;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.sensorfleet.core.InstrumentId;
import java.util.Comparator;
import java.util.Objects;

/**
 * One operator decision: {@code subject} may perform {@code action} on {@code object} (an Instrument id, topic
 * or resource name, depending on the action).
 *
 * <p>Grants are owned by operators; a manifest can only {@linkplain PermissionRequest request} them. The subject
 * is always one concrete Instrument: there is no wildcard subject, so installing a new Instrument never gives it
 * anything. The object may be the wildcard {@code *} for topics and resources (see
 * {@link Action#allowsWildcard()}); a wildcard covers every well-formed name, including ones that appear later.
 * An Instrument sending to itself needs a grant naming itself, like any other target.
 */
public record Grant(InstrumentId subject, Action action, String object) implements Comparable<Grant> {

  private static final Comparator<Grant> ORDER = Comparator.comparing(Grant::subject)
      .thenComparing(Grant::action)
      .thenComparing(Grant::object);

  public Grant {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(object, "object");
    if (object.equals(ObjectNames.WILDCARD)) {
      if (!action.allowsWildcard()) {
        throw new IllegalArgumentException(
            "'*' cannot be granted for " + action.wireName() + ": name each Instrument that may be messaged");
      }
    } else {
      action.objectProblem(object).ifPresent(problem -> {
        throw new IllegalArgumentException(problem);
      });
    }
  }

  /** A grant for a single {@code send}, the common case spelled with a typed target. */
  public static Grant send(InstrumentId subject, InstrumentId to) {
    return new Grant(subject, Action.SEND, to.value());
  }

  /** True when the object is {@code *}. */
  @JsonIgnore
  public boolean isWildcard() {
    return object.equals(ObjectNames.WILDCARD);
  }

  /** True when this grant allows {@code from} to perform {@code kind} on the (well-formed) {@code to}. */
  boolean covers(InstrumentId from, String to, Action kind) {
    return subject.equals(from) && action == kind && (isWildcard() || object.equals(to));
  }

  /** Reads as a sentence, e.g. {@code dns-sensor may publish on dns}: used in decisions and audit lines. */
  public String describe() {
    return subject + " may " + action.describe(object);
  }

  @Override
  public int compareTo(Grant other) {
    return ORDER.compare(this, other);
  }
}
