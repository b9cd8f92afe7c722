/**
 * Who may talk to whom on the Instrument bus: operator-owned {@link io.sensorfleet.core.permission.Grant}s, the
 * default-deny {@link io.sensorfleet.core.permission.PermissionPolicy} that decides over them, and the
 * {@link io.sensorfleet.core.permission.PermissionRequest}s a manifest may only ask for.
 */
package io.sensorfleet.core.permission;
