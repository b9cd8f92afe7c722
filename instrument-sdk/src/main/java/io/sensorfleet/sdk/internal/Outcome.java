package io.sensorfleet.sdk.internal;

import io.sensorfleet.core.protocol.Frame;

/** How one connection ended, which decides what the connection thread does next. */
sealed interface Outcome {

  /** Dropped, refused, or never made: wait (backoff) and connect again. */
  record Retry(String why, boolean wasReady) implements Outcome {}

  /** The app closed the client. */
  record Stopped() implements Outcome {}

  /** The platform said {@code bye}: run the shutdown callback, answer {@code bye}, close for good. */
  record PlatformBye(String reason) implements Outcome {}

  /** The platform says we are not the Instrument this socket belongs to: retrying cannot help, so close. */
  record IdentityRefused(Frame.Error error) implements Outcome {}
}
