package io.sensorfleet.http.json;

import java.util.List;

/**
 * {@code PUT /api/v1/permissions}: the whole new policy. {@code version}, if given, must be the version the client
 * read (409 otherwise: someone changed it meanwhile).
 */
public record PolicyUpdateRequest(Long version, List<PolicyView.GrantView> grants) {}
