package io.sensorfleet.http.json;

import java.util.List;

/**
 * {@code GET /api/v1/audit}: entries newest first. {@code nextBefore} is the cursor for the next (older)
 * page, passed back as {@code ?before=}; absent on the last page.
 */
public record AuditPageView(List<AuditEntryView> entries, Long nextBefore) {}
