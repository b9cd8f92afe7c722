package io.sensorfleet.actors;

/**
 * A change was refused because the journal could not record it (full disk, database down, a write that timed out):
 * nothing was changed. Fleet Management answers 503.
 */
public final class JournalUnavailable extends RuntimeException {

  public JournalUnavailable(Throwable cause) {
    super("the journal cannot be written; nothing was changed: " + (cause == null ? "unknown" : cause.getMessage()),
        cause);
  }
}
