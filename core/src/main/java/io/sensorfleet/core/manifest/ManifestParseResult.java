package io.sensorfleet.core.manifest;

import java.util.List;
import java.util.Objects;

/** What {@link ManifestParser} returns: the manifest, or every problem it found. */
public sealed interface ManifestParseResult {

  /** The document was a valid manifest. */
  record Parsed(InstrumentManifest manifest) implements ManifestParseResult {
    public Parsed {
      Objects.requireNonNull(manifest, "manifest");
    }
  }

  /** The document was not a valid manifest; {@code errors} holds every problem found (at least one). */
  record Invalid(List<ManifestError> errors) implements ManifestParseResult {
    public Invalid {
      errors = List.copyOf(errors);
      if (errors.isEmpty()) {
        throw new IllegalArgumentException("an invalid manifest has at least one error");
      }
    }
  }
}
