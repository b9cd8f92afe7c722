package io.sensorfleet.core.storage;

import io.sensorfleet.core.InstrumentId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Why an {@link InstrumentStorage} call failed. Each subclass is one kind of failure a caller can act on. Failures
 * of a host tool carry the tool's own exit code and standard error ({@link CommandFailed}).
 */
public abstract sealed class StorageException extends RuntimeException {

  private StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The {@code StorageException} behind {@code failure}, looking through the {@code CompletionException} and
   * {@code ExecutionException} wrappers that {@code CompletableFuture} adds.
   */
  public static Optional<StorageException> of(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof StorageException e ? Optional.of(e) : Optional.empty();
  }

  /** The Instrument has no storage: {@link InstrumentStorage#prepare} was not called, or it was purged. */
  public static final class NotPrepared extends StorageException {
    public NotPrepared(InstrumentId id) {
      super("instrument " + id + " has no prepared storage", null);
    }
  }

  /** What exists differs from what was asked (e.g. another persistent size: resizing is not supported). */
  public static final class Conflict extends StorageException {
    public Conflict(InstrumentId id, String detail) {
      super("instrument " + id + ": " + detail, null);
    }
  }

  /** A container (another mount namespace) still has the storage mounted: stop it first. */
  public static final class InUse extends StorageException {
    private final List<Long> pids;

    /**
     * @param holders what those processes are, for the operator (e.g. {@code 7402 lxd forkproxy ...}); may be
     *     empty
     */
    public InUse(InstrumentId id, String what, List<Long> pids, List<String> holders) {
      super("instrument " + id + ": the " + what + " is still mounted in another mount namespace (pids " + pids
          + (holders.isEmpty() ? "" : ": " + String.join("; ", holders))
          + "): stop the container first", null);
      this.pids = List.copyOf(pids);
    }

    /** One process of each mount namespace that still has the mount. */
    public List<Long> pids() {
      return pids;
    }
  }

  /** Encrypted data exists but its key is gone: it cannot be read again. Purge it. */
  public static final class KeyMissing extends StorageException {
    public KeyMissing(InstrumentId id, String keyFile) {
      super("instrument " + id + ": encrypted data exists but its key " + keyFile + " does not", null);
    }
  }

  /** The key does not decrypt the data (the encryption tool rejected it). */
  public static final class KeyRejected extends StorageException {
    public KeyRejected(InstrumentId id, String toolOutput) {
      super("instrument " + id + ": the key does not decrypt the persistent data: " + toolOutput.strip(), null);
    }
  }

  /** The pool cannot hold the quotas already promised plus the new one. */
  public static final class InsufficientSpace extends StorageException {
    public InsufficientSpace(InstrumentId id, String detail) {
      super("instrument " + id + ": " + detail, null);
    }
  }

  /** The host cannot give what the storage needs (a pool that does not enforce quotas, a missing tool). */
  public static final class Unsupported extends StorageException {
    public Unsupported(String detail) {
      super(detail, null);
    }
  }

  /** A host tool ended with a non-zero exit code; its standard error is kept as it was. */
  public static final class CommandFailed extends StorageException {
    private final String command;
    private final int exitCode;
    private final String stderr;

    public CommandFailed(String command, int exitCode, String stderr) {
      super(command + " failed (exit " + exitCode + "): " + stderr.strip(), null);
      this.command = command;
      this.exitCode = exitCode;
      this.stderr = stderr;
    }

    /** The command line, without secrets. */
    public String command() {
      return command;
    }

    public int exitCode() {
      return exitCode;
    }

    /** The tool's own error output. */
    public String stderr() {
      return stderr;
    }
  }

  /** A host tool did not finish in time and was killed. */
  public static final class CommandTimedOut extends StorageException {
    public CommandTimedOut(String command, Duration timeout) {
      super(command + " did not finish within " + timeout.toMillis() + " ms and was killed", null);
    }
  }

  /** Reading or changing host files failed (the key store, a mount point, ownership). */
  public static final class HostIo extends StorageException {
    public HostIo(String what, Throwable cause) {
      super(what + ": " + cause, cause);
    }
  }
}
