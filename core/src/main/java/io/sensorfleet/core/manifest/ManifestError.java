package io.sensorfleet.core.manifest;

import java.util.Objects;

/**
 * One problem in a manifest. {@code path} names the field the way the YAML nests it ({@code limits.memory},
 * {@code network.filter}, {@code permissions[2].send}, {@code command[0]}); problems with the document as a
 * whole (syntax, size, emptiness) have the path {@link #DOCUMENT}.
 */
public record ManifestError(String path, String reason) {

  /** The path of problems that concern the whole document rather than one field. */
  public static final String DOCUMENT = "(document)";

  public ManifestError {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return path + ": " + reason;
  }
}
