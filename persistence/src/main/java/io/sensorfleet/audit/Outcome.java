package io.sensorfleet.audit;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How an audited action ended. Its wire form (JSON, read-side column, query parameter) is lower-case. */
public enum Outcome {
  OK,
  DENIED,
  FAILED;

  /** {@code "ok"}, {@code "denied"} or {@code "failed"}: stored in the journal, so never change it. */
  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the wire form, ignoring case. */
  @JsonCreator
  public static Outcome fromWire(String value) {
    if (value != null) {
      for (Outcome o : values()) {
        if (o.wire().equalsIgnoreCase(value)) {
          return o;
        }
      }
    }
    throw new IllegalArgumentException("unknown outcome '" + value + "': use ok, denied or failed");
  }
}
