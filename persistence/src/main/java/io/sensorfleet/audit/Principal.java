package io.sensorfleet.audit;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sensorfleet.core.InstrumentId;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Who did an audited action: the platform itself, a user, or an Instrument.
 *
 * <p>Its wire form ({@link #toString()}, JSON, the read side's {@code principal} column and the {@code principal}
 * query filter) is {@code "platform"}, {@code "user:<name>"} or {@code "instrument:<id>"}.
 */
public record Principal(Kind kind, String name) {

  public enum Kind {
    USER,
    INSTRUMENT,
    PLATFORM;

    /** Lower-case, as in the wire form and the {@code principal_kind} column. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The name of the one platform principal, which is also its whole wire form. */
  public static final String PLATFORM_NAME = "platform";
  /** User names are free-form (they come from the HTTP layer's authentication) but bounded and printable. */
  public static final int MAX_NAME_LENGTH = 128;

  private static final Principal PLATFORM = new Principal(Kind.PLATFORM, PLATFORM_NAME);

  public Principal {
    Objects.requireNonNull(kind, "principal kind");
    Objects.requireNonNull(name, "principal name");
    switch (kind) {
      case PLATFORM -> {
        if (!name.equals(PLATFORM_NAME)) {
          throw new IllegalArgumentException("the platform principal is named '" + PLATFORM_NAME + "', not '" + name + "'");
        }
      }
      case INSTRUMENT -> InstrumentId.of(name); // validates
      case USER -> {
        if (name.isBlank() || name.length() > MAX_NAME_LENGTH || !name.strip().equals(name)
            || name.chars().anyMatch(c -> Character.isISOControl(c))) {
          throw new IllegalArgumentException("invalid user name: use 1 to " + MAX_NAME_LENGTH
              + " printable characters without leading or trailing spaces");
        }
      }
    }
  }

  /** The sensor itself (timers, supervision, startup). */
  public static Principal platform() {
    return PLATFORM;
  }

  public static Principal user(String name) {
    return new Principal(Kind.USER, name);
  }

  public static Principal instrument(InstrumentId id) {
    return new Principal(Kind.INSTRUMENT, id.value());
  }

  /** The Instrument's id when this principal is an Instrument. */
  public Optional<InstrumentId> instrumentId() {
    return kind == Kind.INSTRUMENT ? Optional.of(InstrumentId.of(name)) : Optional.empty();
  }

  /**
   * Parses the wire form: {@code "platform"}, {@code "user:<name>"} or {@code "instrument:<id>"}.
   *
   * @throws IllegalArgumentException when it is none of these
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Principal parse(String wire) {
    if (wire == null) {
      throw new IllegalArgumentException("principal is missing");
    }
    if (wire.equals(PLATFORM_NAME)) {
      return PLATFORM;
    }
    int colon = wire.indexOf(':');
    if (colon > 0) {
      String prefix = wire.substring(0, colon);
      String rest = wire.substring(colon + 1);
      if (prefix.equals(Kind.USER.wire())) {
        return user(rest);
      }
      if (prefix.equals(Kind.INSTRUMENT.wire())) {
        return instrument(InstrumentId.of(rest));
      }
    }
    throw new IllegalArgumentException("invalid principal: use 'platform', 'user:<name>' or 'instrument:<id>'");
  }

  @JsonValue
  @Override
  public String toString() {
    return kind == Kind.PLATFORM ? PLATFORM_NAME : kind.wire() + ":" + name;
  }
}
