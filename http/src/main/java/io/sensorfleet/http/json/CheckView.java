package io.sensorfleet.http.json;

/** {@code GET /api/v1/permissions/check}: what the policy in force says, and why. */
public record CheckView(String from, String action, String object, boolean allowed, String reason) {}
