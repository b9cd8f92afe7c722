package io.sensorfleet.lxd;

/**
 * Who answers on the socket ({@code GET /1.0}): {@code server} is {@code lxd} or {@code incus}; {@code auth} is
 * {@code trusted} for a client on the unix socket; {@code apiExtensions} counts the API extensions (LXD 5.0.2 has
 * 318, Incus 6.0 about 450).
 */
public record LxdServerInfo(String server, String version, String auth, int apiExtensions) {}
