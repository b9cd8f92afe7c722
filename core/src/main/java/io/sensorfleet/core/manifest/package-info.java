/**
 * What an Instrument is and what it may use: the {@link io.sensorfleet.core.manifest.InstrumentManifest} and
 * its strict YAML/JSON {@link io.sensorfleet.core.manifest.ManifestParser}.
 */
package io.sensorfleet.core.manifest;
