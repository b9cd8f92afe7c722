package io.sensorfleet.core.runtime;

import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Why a {@link ContainerRuntime} call failed. Each subclass is one kind of failure a caller can act on; all carry
 * the container manager's own message ({@link #managerMessage()}, e.g. LXD's {@code "Instance not found"}) and
 * the HTTP or operation status it came with ({@link #status()}, 0 when there was none).
 */
public abstract sealed class ContainerRuntimeException extends RuntimeException {

  private final int status;
  private final String managerMessage;

  private ContainerRuntimeException(String action, int status, String managerMessage, Throwable cause) {
    super(action + ": " + managerMessage + (status > 0 ? " (" + status + ")" : ""), cause);
    this.status = status;
    this.managerMessage = managerMessage;
  }

  /** The HTTP status (or the failed operation's status code) the manager answered with; 0 if none. */
  public int status() {
    return status;
  }

  /** The manager's own error text, unchanged. */
  public String managerMessage() {
    return managerMessage;
  }

  /**
   * The {@code ContainerRuntimeException} behind {@code failure}, looking through the {@code CompletionException}
   * and {@code ExecutionException} wrappers that {@code CompletableFuture} adds.
   */
  public static Optional<ContainerRuntimeException> of(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof ContainerRuntimeException e ? Optional.of(e) : Optional.empty();
  }

  /** The container, volume, image, device or file does not exist. */
  public static final class NotFound extends ContainerRuntimeException {
    public NotFound(String action, int status, String managerMessage) {
      super(action, status, managerMessage, null);
    }
  }

  /** Something of that name already exists. */
  public static final class AlreadyExists extends ContainerRuntimeException {
    public AlreadyExists(String action, int status, String managerMessage) {
      super(action, status, managerMessage, null);
    }
  }

  /**
   * The object is in the wrong state for the request (running, stopped, in use) or was changed concurrently
   * (ETag mismatch).
   */
  public static final class Conflict extends ContainerRuntimeException {
    public Conflict(String action, int status, String managerMessage) {
      super(action, status, managerMessage, null);
    }
  }

  /** The manager rejected the request as invalid (bad config key or value, unknown device option, ...). */
  public static final class InvalidRequest extends ContainerRuntimeException {
    public InvalidRequest(String action, int status, String managerMessage) {
      super(action, status, managerMessage, null);
    }
  }

  /** The manager accepted the request but failed to carry it out (device start, mount, idmap, ...). */
  public static final class OperationFailed extends ContainerRuntimeException {
    public OperationFailed(String action, int status, String managerMessage) {
      super(action, status, managerMessage, null);
    }
  }

  /** The manager did not finish within the configured time; the work may still complete later. */
  public static final class Timeout extends ContainerRuntimeException {
    public Timeout(String action, String message) {
      super(action, 0, message, null);
    }
  }

  /** The manager could not be reached or broke the connection (daemon down, socket missing, protocol error). */
  public static final class Unreachable extends ContainerRuntimeException {
    public Unreachable(String action, String message, Throwable cause) {
      super(action, 0, message, cause);
    }
  }
}
