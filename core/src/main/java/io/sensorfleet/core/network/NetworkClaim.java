package io.sensorfleet.core.network;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.NetworkMode;
import java.util.Objects;
import java.util.Optional;

/**
 * What an installed Instrument holds of the sensor's network. The registry keeps one per installed Instrument
 * that has a network and hands them to {@link NetworkAllowlist#check} when the next one is installed. Only a
 * {@link DedicatedInterface} is exclusive; bridges and capture interfaces are shared.
 */
public sealed interface NetworkClaim {

  /** The Instrument holding the claim. */
  InstrumentId holder();

  /** True when no other Instrument may hold the same resource. */
  boolean exclusive();

  /** The claim an Instrument of {@code mode} holds; none for {@link NetworkMode.None}. */
  static Optional<NetworkClaim> of(InstrumentId holder, NetworkMode mode) {
    return switch (mode) {
      case NetworkMode.None none -> Optional.empty();
      case NetworkMode.Bridged bridged -> Optional.of(new Bridge(holder, bridged.bridge()));
      case NetworkMode.Dedicated dedicated -> Optional.of(new DedicatedInterface(holder, dedicated.interfaceName()));
      case NetworkMode.Passive passive -> Optional.of(new Capture(holder));
    };
  }

  /** A NIC on {@code bridge}, a segment shared with the other Instruments on it. */
  record Bridge(InstrumentId holder, String bridge) implements NetworkClaim {
    public Bridge {
      Objects.requireNonNull(holder, "holder");
      Objects.requireNonNull(bridge, "bridge");
    }

    @Override
    public boolean exclusive() {
      return false;
    }
  }

  /** {@code interfaceName}, moved into the holder's container: nobody else may have it. */
  record DedicatedInterface(InstrumentId holder, String interfaceName) implements NetworkClaim {
    public DedicatedInterface {
      Objects.requireNonNull(holder, "holder");
      Objects.requireNonNull(interfaceName, "interfaceName");
    }

    @Override
    public boolean exclusive() {
      return true;
    }
  }

  /** Receive-only copies of the capture interfaces, which every passive Instrument shares. */
  record Capture(InstrumentId holder) implements NetworkClaim {
    public Capture {
      Objects.requireNonNull(holder, "holder");
    }

    @Override
    public boolean exclusive() {
      return false;
    }
  }
}
