package io.sensorfleet.http.json;

import java.util.List;

/** A page of events, newest first; pass {@code nextBefore} as {@code before} for the next (older) page. */
public record UserEventPageView(List<UserEventView> events, Long nextBefore) {}
