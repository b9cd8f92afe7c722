package io.sensorfleet.storage.internal;

import io.sensorfleet.core.storage.StorageException;
import java.time.Duration;

/** Runs host commands, blocking the calling (virtual) thread. */
public interface CommandRunner {

  /**
   * Runs {@code command} and waits for it at most {@code timeout}.
   *
   * @throws StorageException.CommandTimedOut if it did not end in time (it is killed)
   * @throws StorageException.Unsupported if the tool is not installed
   * @throws StorageException.HostIo if it could not be started
   */
  CommandResult run(CommandLine command, Duration timeout);

  /** Runs {@code command} and fails with {@link StorageException.CommandFailed} unless it exits with 0. */
  default CommandResult check(CommandLine command, Duration timeout) {
    CommandResult result = run(command, timeout);
    if (!result.succeeded()) {
      throw new StorageException.CommandFailed(command.display(), result.exitCode(),
          result.stderr().isBlank() ? result.stdout() : result.stderr());
    }
    return result;
  }
}
