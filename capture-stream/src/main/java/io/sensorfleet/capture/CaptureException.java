package io.sensorfleet.capture;

/** A socket, ring or filter of the Capture Engine could not be set up; the message says which and why. */
public class CaptureException extends RuntimeException {
  public CaptureException(String message) {
    super(message);
  }

  public CaptureException(String message, Throwable cause) {
    super(message, cause);
  }
}
