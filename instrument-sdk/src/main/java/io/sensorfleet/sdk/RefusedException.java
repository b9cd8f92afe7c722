package io.sensorfleet.sdk;

import io.sensorfleet.core.protocol.Frame;
import java.util.Objects;

/**
 * The platform answered a request with an {@code error} frame (e.g. {@code not-permitted},
 * {@code unknown-instrument}): nothing was delivered or subscribed.
 */
public final class RefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Frame.Error error;

  public RefusedException(Frame.Error error) {
    super(error.code() + (error.message().isEmpty() ? "" : ": " + error.message()));
    this.error = Objects.requireNonNull(error, "error");
  }

  /** The platform's {@code error} frame; {@link Frame.Error#code()} is the machine-readable reason. */
  public Frame.Error error() {
    return error;
  }
}
