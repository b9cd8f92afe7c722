package io.sensorfleet.core.network;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.NetworkMode;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Gives Instrument containers the network their manifest asks for, and nothing else: the port the Instrument
 * actor uses, implemented over the host's {@code ip} and {@code nft} by the {@code network} module.
 *
 * <p>The life of one Instrument's network:
 * <ol>
 *   <li><b>install</b>: {@code allowlist().check(id, mode, claimsOfTheOtherInstalledInstruments)}; a refusal
 *       rejects the install, an allowed check yields the claim to record with the installed Instrument;
 *   <li><b>before every start</b>: {@link #plan}, then the plan's devices go into the container spec
 *       ({@link NetworkPlan#applyTo}) or onto the stopped container ({@code ContainerRuntime.addDevice});
 *   <li><b>after every stop</b> (and after a start that failed): {@link #release};
 *   <li><b>when a restarted sensor adopts a running container</b>: {@link #adopt}, which puts the host's side back
 *       (its rules may have gone with a host reboot or an {@code nft flush}) without touching the container.
 * </ol>
 *
 * <p>Calls never block: host commands run on an executor of the implementation, each with a timeout.
 */
public interface NetworkProvisioner {

  /** What the sensor configuration offers Instruments; the install-time check uses it with the registry's claims. */
  NetworkAllowlist allowlist();

  /**
   * Puts {@code allowlist} in force from the next check on (an operator's change, persisted before it is applied);
   * what Instruments already hold is not taken back.
   */
  void useAllowlist(NetworkAllowlist allowlist);

  /**
   * Checks {@code mode} against the allowlist (with the claims of what this provisioner has planned and not yet
   * released, so a dedicated interface cannot be planned for two Instruments), checks that the host really has
   * what was declared, prepares the host (firewall rules) and returns the devices the container needs.
   *
   * <p>Fails with {@link NetworkException.Refused} when the allowlist says no, {@link NetworkException.Unavailable}
   * when the host does not have the bridge or interface (or it is in use), and
   * {@link NetworkException.HostCommandFailed} when {@code ip} or {@code nft} fails or times out. A failed plan
   * leaves nothing behind. Planning again for the same Instrument, with the same mode, is allowed.
   */
  CompletionStage<NetworkPlan> plan(InstrumentId instrument, NetworkMode mode);

  /**
   * Undoes what {@link #plan} prepared for {@code instrument}, once its container has stopped: its claim on a
   * dedicated interface ends and its host rules go. {@code mode} is the manifest's, so a provisioner that did not
   * plan it (the sensor restarted in between) still removes its host rules. Releasing what was never planned, or
   * twice, does nothing.
   */
  CompletionStage<Void> release(InstrumentId instrument, NetworkMode mode);

  /**
   * Re-asserts the host's side of {@code instrument}'s network for a container that already runs with the devices
   * of an earlier {@link #plan} (a sensor restart found it running): its firewall rules are installed again
   * (idempotently) and a dedicated interface is claimed again, but the container's own host interfaces are
   * expected to exist. Fails like {@link #plan} when the allowlist no longer allows {@code mode}; the caller then
   * stops the container.
   */
  CompletionStage<Void> adopt(InstrumentId instrument, NetworkMode mode);

  /**
   * Frames a passive {@code instrument} tried to send and its host end's ingress drop stopped ("blocked"), counted
   * since its drop chain was installed; empty when it has none (not passive, not planned) or this provisioner
   * cannot count.
   */
  default CompletionStage<OptionalLong> blockedFrames(InstrumentId instrument) {
    return CompletableFuture.completedFuture(OptionalLong.empty());
  }
}
