package io.sensorfleet.core.manifest;

/**
 * A web UI the Instrument serves on {@code 127.0.0.1:port} inside its container; the platform reverse-proxies
 * it (through a host unix socket), so the port is never exposed on the sensor's network.
 */
public record Ui(int port) {

  public Ui {
    requirePort(port);
  }

  static int requirePort(int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("must be between 1 and 65535, got " + port);
    }
    return port;
  }
}
