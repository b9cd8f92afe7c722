package io.sensorfleet.http;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.network.NetworkAllowlist;
import io.sensorfleet.core.network.NetworkPlan;
import io.sensorfleet.core.network.NetworkProvisioner;
import java.util.concurrent.CompletionStage;

/** A provisioner that only holds its allowlist: the network routes read and set it, nothing plans here. */
final class FakeNetwork implements NetworkProvisioner {

  private volatile NetworkAllowlist allowlist;

  FakeNetwork(NetworkAllowlist allowlist) {
    this.allowlist = allowlist;
  }

  @Override
  public NetworkAllowlist allowlist() {
    return allowlist;
  }

  @Override
  public void useAllowlist(NetworkAllowlist next) {
    allowlist = next;
  }

  @Override
  public CompletionStage<NetworkPlan> plan(InstrumentId instrument, NetworkMode mode) {
    throw new UnsupportedOperationException("route tests plan no networks");
  }

  @Override
  public CompletionStage<Void> release(InstrumentId instrument, NetworkMode mode) {
    throw new UnsupportedOperationException("route tests release no networks");
  }

  @Override
  public CompletionStage<Void> adopt(InstrumentId instrument, NetworkMode mode) {
    throw new UnsupportedOperationException("route tests adopt no networks");
  }
}
