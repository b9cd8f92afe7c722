package io.sensorfleet.core;

/**
 * Marker for everything Pekko serializes as JSON: audit commands, events and state, and any actor message
 * that may cross a cluster node. Bound to {@code jackson-json} in {@code serialization.conf} so the journal
 * stays readable with plain SQL.
 */
public interface JsonSerializable {}
