package io.sensorfleet.core.manifest;

import java.util.ArrayList;
import java.util.List;

/** The problems found so far while reading one document. */
final class Problems {

  private final List<ManifestError> errors = new ArrayList<>();

  void add(String path, String reason) {
    errors.add(new ManifestError(path, reason));
  }

  boolean isEmpty() {
    return errors.isEmpty();
  }

  List<ManifestError> list() {
    return List.copyOf(errors);
  }
}
