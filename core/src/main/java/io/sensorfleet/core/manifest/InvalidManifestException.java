package io.sensorfleet.core.manifest;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown by {@link ManifestParser}'s {@code parseOrThrow} methods; the message lists every error, one per line. */
public final class InvalidManifestException extends IllegalArgumentException {

  private final transient List<ManifestError> errors;

  public InvalidManifestException(String source, List<ManifestError> errors) {
    super(message(source, errors));
    this.errors = List.copyOf(errors);
  }

  public List<ManifestError> errors() {
    return errors;
  }

  private static String message(String source, List<ManifestError> errors) {
    return "invalid instrument manifest " + source + " (" + errors.size() + (errors.size() == 1 ? " error" : " errors")
        + "):" + errors.stream().map(e -> "\n  " + e).collect(Collectors.joining());
  }
}
