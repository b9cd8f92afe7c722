package io.sensorfleet.core.access;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a Fleet Management user may do, in increasing power: a viewer reads, an operator also runs Instruments
 * (lifecycle, configuration, retention), an admin also manages users. Its wire form is lower-case; it is stored in
 * the user directory's journal, so constants may be added but never renamed.
 */
public enum Role {
  VIEWER,
  OPERATOR,
  ADMIN;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the wire form, ignoring case. */
  @JsonCreator
  public static Role fromWire(String value) {
    for (Role r : values()) {
      if (r.wire().equalsIgnoreCase(value)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown role '" + value + "': use one of "
        + Arrays.stream(values()).map(Role::wire).toList());
  }
}
