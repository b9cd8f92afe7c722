package io.sensorfleet.sdk;

/**
 * A request could not be made or its answer will never come: the client is not {@link ClientState#READY}, the
 * connection dropped while the request waited, or the client closed. Whether a message sent before a drop was
 * delivered is unknown.
 */
public final class NotConnectedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public NotConnectedException(String message) {
    super(message);
  }
}
