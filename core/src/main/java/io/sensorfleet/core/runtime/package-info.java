/**
 * The {@code ContainerRuntime} port: what the sensor needs from the container manager that runs each Instrument
 * (LXD today, Incus where its API matches), in plain Java so that {@code core} stays free of Pekko.
 *
 * <p>Every method returns a {@link java.util.concurrent.CompletionStage}. A stage that fails carries a
 * {@link io.sensorfleet.core.runtime.ContainerRuntimeException} itself (never wrapped in a
 * {@code CompletionException}), so an actor can match on it in its {@code pipeToSelf} callback.
 *
 * <p><b>Lifecycle events</b> are exposed as a {@link java.util.concurrent.Flow.Publisher}, the JDK's reactive
 * streams interface, because a Pekko {@code Source} cannot appear in {@code core}. The LXD adapter also offers the
 * same stream as a Pekko {@code Source}; actors turn the publisher back into one with
 * {@code JavaFlowSupport.Source.fromPublisher}.
 */
package io.sensorfleet.core.runtime;
