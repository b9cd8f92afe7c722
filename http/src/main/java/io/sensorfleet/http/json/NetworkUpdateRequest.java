package io.sensorfleet.http.json;

import java.util.List;

/**
 * {@code PUT /api/v1/network}: every bridge Instruments may join and every interface that may be dedicated to one
 * Instrument (both lists whole; capture interfaces stay the sensor config's).
 */
public record NetworkUpdateRequest(List<String> bridges, List<String> dedicatedInterfaces) {}
