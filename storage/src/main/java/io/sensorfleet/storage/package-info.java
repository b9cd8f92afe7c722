/**
 * The {@code InstrumentStorage} adapter ({@link io.sensorfleet.storage.GocryptfsStorage}): a quota'd btrfs volume
 * per Instrument on an LXD pool, holding a gocryptfs directory that the sensor mounts and bind-mounts into the
 * container; a size-limited tmpfs for transient data; a key per Instrument in the sensor's data directory. What
 * other modules must not use is in {@code internal}. Design and measurements: docs/storage.md.
 */
package io.sensorfleet.storage;
