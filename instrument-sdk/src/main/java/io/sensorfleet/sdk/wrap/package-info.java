/**
 * An Instrument made of a program that cannot link the SDK: {@link io.sensorfleet.sdk.wrap.Wrap} runs it and
 * answers health from its output ({@link io.sensorfleet.sdk.wrap.ProcessLiveness}).
 */
package io.sensorfleet.sdk.wrap;
