package io.sensorfleet.core.protocol;

/** One end of an Instrument connection; the protocol allows each frame type from one end, or from both. */
public enum Peer {
  /** The sensor platform, which listens on the Instrument's socket. */
  PLATFORM,
  /** The Instrument in its container, which connects and says {@code hello} first. */
  INSTRUMENT
}
