/**
 * The wire protocol between the platform and an Instrument: newline-delimited JSON frames over one unix stream
 * socket per Instrument, specified in {@code docs/protocol.md}.
 *
 * <p>Plain Java and Jackson's streaming parser only, so the platform (through Pekko's framing) and the Instrument
 * SDK (through {@link io.sensorfleet.core.protocol.LineReader}) share one codec. Start at
 * {@link io.sensorfleet.core.protocol.FrameCodec} and {@link io.sensorfleet.core.protocol.Frame}.
 */
package io.sensorfleet.core.protocol;
