package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/**
 * How the Instrument reaches the sensor's message bus. Either way the sensor knows which Instrument is talking
 * from the endpoint it connected to, never from what the Instrument claims.
 */
public enum ControlChannel {
  /** The default: the Instrument's bus unix socket, bind-mounted into the container under {@link #SOCKET_DIR}. */
  SOCKET("socket"),
  /**
   * A TCP listener on {@link #TCP_HOST}:{@link #TCP_PORT} inside the container, for tools that cannot speak unix
   * sockets (busybox shell scripts with {@code nc}). Costs an LXD proxy device, so use it only when needed.
   */
  TCP("tcp");

  /** Where the bus socket appears inside the container. */
  public static final String SOCKET_DIR = "/run/sensorfleet";
  public static final String TCP_HOST = "127.0.0.1";
  public static final int TCP_PORT = 7070;

  private final String wireName;

  ControlChannel(String wireName) {
    this.wireName = wireName;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }

  public static Optional<ControlChannel> fromWireName(String wireName) {
    return Arrays.stream(values()).filter(c -> c.wireName.equals(wireName)).findFirst();
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)  // see InstrumentId: Pekko's parameter-names module
  static ControlChannel fromJson(String wireName) {
    return fromWireName(wireName).orElseThrow(() -> new IllegalArgumentException(
        "unknown control channel " + Text.quoted(wireName) + ", expected socket or tcp"));
  }
}
