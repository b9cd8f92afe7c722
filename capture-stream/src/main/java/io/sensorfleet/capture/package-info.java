/**
 * The Capture Engine: packet mirroring from a sensor interface to passive Instruments as Pekko Streams
 * graphs over AF_PACKET sockets. Built by the Capture Engine issue; this module exists so the dependency
 * direction (actors -> capture-stream -> core) is fixed from the start.
 */
package io.sensorfleet.capture;
