package io.sensorfleet.audit;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What area an audited action belongs to. Its wire form is lower-case ({@code "lifecycle"}); it is part of the
 * journal and of the tag {@code kind:<wire>}, so constants may be added but never renamed.
 */
public enum AuditKind {
  PLATFORM,
  LIFECYCLE,
  CONFIG,
  PERMISSION,
  MESSAGE,
  HEALTH,
  STORAGE,
  RETENTION,
  NETWORK,
  ACCESS,
  RESOURCE;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the wire form, ignoring case. */
  @JsonCreator
  public static AuditKind fromWire(String value) {
    if (value != null) {
      for (AuditKind k : values()) {
        if (k.wire().equalsIgnoreCase(value)) {
          return k;
        }
      }
    }
    throw new IllegalArgumentException("unknown audit kind '" + value + "': use one of "
        + Arrays.stream(values()).map(AuditKind::wire).collect(Collectors.joining(", ")));
  }
}
