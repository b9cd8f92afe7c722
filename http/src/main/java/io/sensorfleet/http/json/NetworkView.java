package io.sensorfleet.http.json;

import java.util.List;

/**
 * {@code GET /api/v1/network}: what the sensor config offers Instruments (bridges, dedicated interfaces, capture
 * interfaces: each with whether the host has it and which Instruments use it) and the host's interfaces with the
 * role the config gives them ({@code capture}, {@code bridge}, {@code dedicated}, or {@code host}).
 */
public record NetworkView(List<Offered> bridges, List<Offered> dedicatedInterfaces, List<Offered> captureInterfaces,
                          List<HostInterface> hostInterfaces) {

  /** One bridge or interface of the allowlist. */
  public record Offered(String name, boolean present, List<String> usedBy) {}

  /** One interface of the host. */
  public record HostInterface(String name, boolean up, boolean loopback, List<String> addresses, String role) {}
}
