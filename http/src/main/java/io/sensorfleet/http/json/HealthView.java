package io.sensorfleet.http.json;

import java.time.Instant;

/** {@code GET /api/v1/health}: the sensor's own status. */
public record HealthView(String status, String sensor, String version, Instant startedAt, long uptimeSeconds) {}
