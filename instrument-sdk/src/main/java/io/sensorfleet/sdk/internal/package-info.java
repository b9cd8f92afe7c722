/**
 * The SDK's machinery: connection, handshake, reconnection, callback thread. Not an API: public only because Java
 * packages cannot share otherwise; it may change in any release.
 */
package io.sensorfleet.sdk.internal;
