package io.sensorfleet.http.json;

/** The one shape of every error body: a stable machine-readable {@code code} and a message for people. */
public record ApiError(String code, String message) {}
