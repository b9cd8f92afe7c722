/**
 * The {@code NetworkProvisioner} port: which network an Instrument's container gets, and the pure rules of what
 * the sensor offers.
 *
 * <p>{@link io.sensorfleet.core.network.NetworkAllowlist} is the sensor configuration's list of bridges and
 * interfaces; its {@code check} decides at install whether a manifest's
 * {@link io.sensorfleet.core.manifest.NetworkMode} may be granted, given the
 * {@link io.sensorfleet.core.network.NetworkClaim}s other Instruments already hold. The
 * {@link io.sensorfleet.core.network.NetworkProvisioner} then turns a granted mode into the container devices of
 * a {@link io.sensorfleet.core.network.NetworkPlan} before each start, after checking the host and preparing it,
 * and undoes that preparation after the container stopped.
 *
 * <p>A stage returned by the port that fails carries a {@link io.sensorfleet.core.network.NetworkException}
 * itself, never wrapped in a {@code CompletionException}, so an actor can match on it in {@code pipeToSelf}.
 */
package io.sensorfleet.core.network;
