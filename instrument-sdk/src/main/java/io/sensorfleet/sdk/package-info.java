/**
 * The Instrument SDK: what a program in an Instrument's container links to talk to the platform over its bus socket
 * ({@code docs/instrument-sdk.md}, wire format in {@code docs/protocol.md}). Start at
 * {@link io.sensorfleet.sdk.InstrumentClient#builder()}. Plain Java with no dependency beyond {@code core}'s
 * protocol classes and Jackson's streaming parser; logs through {@link java.lang.System.Logger}, quietly.
 */
package io.sensorfleet.sdk;
