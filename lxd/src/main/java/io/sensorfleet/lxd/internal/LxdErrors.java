package io.sensorfleet.lxd.internal;

import io.sensorfleet.core.runtime.ContainerRuntimeException;
import java.util.List;
import java.util.Locale;

/**
 * Maps LXD's errors to the port's typed failures. LXD reports most failures of asynchronous operations as status
 * 400 with only a message ("This "instances" entry already exists"), so the message decides where the status
 * cannot. Patterns were taken from LXD 5.0.2; anything unrecognised stays an {@code OperationFailed} (or an
 * {@code InvalidRequest} for a synchronous 400), always with LXD's text, so a new LXD wording degrades the type
 * to {@code OperationFailed} but never loses the message.
 */
public final class LxdErrors {

  private static final List<String> CONFLICTS = List.of(
      "already running", "already stopped", "instance is running", "instance is not running",
      "is still in use", "etag doesn't match", "is busy");
  /** Config and device validation; not "invalid argument", which is a syscall failing at run time. */
  private static final List<String> INVALID = List.of(
      "invalid value", "invalid config", "invalid device", "invalid key", "validation");

  private LxdErrors() {}

  /** A failure of a synchronous request, from its HTTP status and LXD's {@code error}. */
  public static ContainerRuntimeException ofResponse(String action, int httpStatus, String message) {
    String m = message.toLowerCase(Locale.ROOT);
    if (httpStatus == 404) {
      return new ContainerRuntimeException.NotFound(action, httpStatus, message);
    }
    if (m.contains("already exists")) {
      return new ContainerRuntimeException.AlreadyExists(action, httpStatus, message);
    }
    if (httpStatus == 409 || httpStatus == 412 || isConflict(m)) {
      return new ContainerRuntimeException.Conflict(action, httpStatus, message);
    }
    if (httpStatus == 400 || isInvalid(m)) {
      return new ContainerRuntimeException.InvalidRequest(action, httpStatus, message);
    }
    return new ContainerRuntimeException.OperationFailed(action, httpStatus, message);
  }

  /** A failed (or cancelled) asynchronous operation, from its {@code status_code} and {@code err}. */
  public static ContainerRuntimeException ofOperation(String action, int statusCode, String err) {
    String m = err.toLowerCase(Locale.ROOT);
    if (m.contains("already exists")) {
      return new ContainerRuntimeException.AlreadyExists(action, statusCode, err);
    }
    if (isConflict(m)) {
      return new ContainerRuntimeException.Conflict(action, statusCode, err);
    }
    if (m.endsWith("not found")) {
      return new ContainerRuntimeException.NotFound(action, statusCode, err);
    }
    if (isInvalid(m)) {
      return new ContainerRuntimeException.InvalidRequest(action, statusCode, err);
    }
    return new ContainerRuntimeException.OperationFailed(action, statusCode, err);
  }

  private static boolean isConflict(String lowerCaseMessage) {
    return CONFLICTS.stream().anyMatch(lowerCaseMessage::contains);
  }

  private static boolean isInvalid(String lowerCaseMessage) {
    return INVALID.stream().anyMatch(lowerCaseMessage::contains);
  }
}
