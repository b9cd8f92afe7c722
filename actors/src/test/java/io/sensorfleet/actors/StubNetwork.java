package io.sensorfleet.actors;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.network.NetworkAllowlist;
import io.sensorfleet.core.network.NetworkPlan;
import io.sensorfleet.core.network.NetworkProvisioner;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A provisioner for actor tests that plan no networks: it holds the allowlist in force (counting how often it was
 * put there) and answers the blocked-frame count the test sets.
 */
public final class StubNetwork implements NetworkProvisioner {

  public volatile NetworkAllowlist allowlist;
  public volatile int applied;
  public volatile long blocked;

  public StubNetwork(NetworkAllowlist allowlist) {
    this.allowlist = allowlist;
  }

  public StubNetwork() {
    this(NetworkAllowlist.nothing());
  }

  @Override
  public NetworkAllowlist allowlist() {
    return allowlist;
  }

  @Override
  public void useAllowlist(NetworkAllowlist next) {
    allowlist = next;
    applied++;
  }

  @Override
  public CompletionStage<NetworkPlan> plan(InstrumentId instrument, NetworkMode mode) {
    throw new UnsupportedOperationException("actor tests plan no networks");
  }

  @Override
  public CompletionStage<Void> release(InstrumentId instrument, NetworkMode mode) {
    throw new UnsupportedOperationException("actor tests release no networks");
  }

  @Override
  public CompletionStage<Void> adopt(InstrumentId instrument, NetworkMode mode) {
    throw new UnsupportedOperationException("actor tests adopt no networks");
  }

  @Override
  public CompletionStage<OptionalLong> blockedFrames(InstrumentId instrument) {
    return CompletableFuture.completedFuture(OptionalLong.of(blocked));
  }
}
