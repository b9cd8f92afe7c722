package io.sensorfleet.sdk;

/** Where an {@link InstrumentClient} is; see {@link InstrumentClient#state()}. */
public enum ClientState {
  /** Connecting, handshaking, or waiting to retry: the bus calls refuse, subscriptions wait. */
  CONNECTING,
  /** Handshake done: frames flow both ways. */
  READY,
  /** Closed by the app ({@link InstrumentClient#close()}) or the platform ({@code bye}, identity mismatch). Final. */
  CLOSED
}
