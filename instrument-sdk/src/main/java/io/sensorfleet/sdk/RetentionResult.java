package io.sensorfleet.sdk;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * What the {@code onRetention} callback deleted; the SDK sends it as {@code retention-report}, which the platform
 * audits. {@link RetentionSweeper} produces one.
 *
 * @param remainingBytes bytes still stored afterwards, if known
 * @param notes free text for the audit record (what could not be deleted, and why), may be empty; cut to 4096
 *     characters if longer
 */
public record RetentionResult(long deletedFiles, long deletedBytes, OptionalLong remainingBytes, String notes) {
  public RetentionResult {
    if (deletedFiles < 0 || deletedBytes < 0) {
      throw new IllegalArgumentException("counts must not be negative: " + deletedFiles + ", " + deletedBytes);
    }
    Objects.requireNonNull(remainingBytes, "remainingBytes");
    if (remainingBytes.isPresent() && remainingBytes.getAsLong() < 0) {
      throw new IllegalArgumentException("remainingBytes must not be negative: " + remainingBytes.getAsLong());
    }
    Objects.requireNonNull(notes, "notes");
  }

  /** Nothing deleted, with a note saying why (for the audit record). */
  public static RetentionResult nothingDeleted(String notes) {
    return new RetentionResult(0, 0, OptionalLong.empty(), notes);
  }
}
