package io.sensorfleet.core.network;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.NetworkMode;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What the sensor configuration offers Instruments: the Linux bridges they may join ({@code sensor.bridges}),
 * the interfaces that may each be moved into one of them ({@code sensor.interfaces.dedicated}) and the capture
 * interfaces whose traffic passive Instruments receive copies of ({@code sensor.interfaces.capture}).
 *
 * <p>The rules of {@link #check}:
 * <ul>
 *   <li>{@code none} is always allowed;
 *   <li>{@code bridged} only on a declared bridge, which any number of Instruments may share;
 *   <li>{@code dedicated} only on a declared dedicated interface that no other Instrument holds;
 *   <li>{@code passive} only when at least one capture interface is declared (they are shared).
 * </ul>
 * Anything not declared is refused. A name may appear in only one of the three lists: a capture interface that
 * Instruments could also join or take would let them send into a SPAN port.
 */
public record NetworkAllowlist(Set<String> bridges, Set<String> dedicatedInterfaces, Set<String> captureInterfaces) {

  public NetworkAllowlist {
    bridges = validated("sensor.bridges", bridges);
    dedicatedInterfaces = validated("sensor.interfaces.dedicated", dedicatedInterfaces);
    captureInterfaces = validated("sensor.interfaces.capture", captureInterfaces);
    disjoint("sensor.bridges", bridges, "sensor.interfaces.dedicated", dedicatedInterfaces);
    disjoint("sensor.bridges", bridges, "sensor.interfaces.capture", captureInterfaces);
    disjoint("sensor.interfaces.dedicated", dedicatedInterfaces, "sensor.interfaces.capture", captureInterfaces);
  }

  /** An allowlist offering nothing: only mode {@code none} passes. */
  public static NetworkAllowlist nothing() {
    return new NetworkAllowlist(Set.of(), Set.of(), Set.of());
  }

  /**
   * Whether {@code instrument} may have {@code mode}, given the claims {@code held} by the installed Instruments.
   * Claims held by {@code instrument} itself are ignored, so reinstalling or upgrading it passes.
   */
  public NetworkCheck check(InstrumentId instrument, NetworkMode mode, Set<NetworkClaim> held) {
    return switch (mode) {
      case NetworkMode.None none -> allowed(instrument, mode);
      case NetworkMode.Bridged bridged -> checkBridge(instrument, bridged);
      case NetworkMode.Dedicated dedicated -> checkDedicated(instrument, dedicated, held);
      case NetworkMode.Passive passive -> captureInterfaces.isEmpty()
          ? new NetworkCheck.Refused("mode passive needs a capture interface, and this sensor declares none"
              + " (sensor.interfaces.capture is empty)")
          : allowed(instrument, mode);
    };
  }

  private NetworkCheck checkBridge(InstrumentId instrument, NetworkMode.Bridged mode) {
    String bridge = mode.bridge();
    if (bridges.contains(bridge)) {
      return allowed(instrument, mode);
    }
    return new NetworkCheck.Refused("bridge '" + bridge + "' is not offered by this sensor"
        + listedIn(bridge) + "; sensor.bridges " + listing(bridges));
  }

  private NetworkCheck checkDedicated(InstrumentId instrument, NetworkMode.Dedicated mode, Set<NetworkClaim> held) {
    String name = mode.interfaceName();
    if (!dedicatedInterfaces.contains(name)) {
      return new NetworkCheck.Refused("interface '" + name + "' is not offered for dedicated use by this sensor"
          + listedIn(name) + "; sensor.interfaces.dedicated " + listing(dedicatedInterfaces));
    }
    Optional<InstrumentId> holder = held.stream()
        .filter(c -> c instanceof NetworkClaim.DedicatedInterface d && d.interfaceName().equals(name))
        .map(NetworkClaim::holder)
        .filter(h -> !h.equals(instrument))
        .sorted()
        .findFirst();
    if (holder.isPresent()) {
      return new NetworkCheck.Refused("interface '" + name + "' is already dedicated to Instrument '"
          + holder.get() + "'; a dedicated interface has exactly one holder");
    }
    return allowed(instrument, mode);
  }

  private static NetworkCheck allowed(InstrumentId instrument, NetworkMode mode) {
    return new NetworkCheck.Allowed(NetworkClaim.of(instrument, mode));
  }

  /** Where else the name is declared, so the refusal says which mode would have worked. */
  private String listedIn(String name) {
    if (bridges.contains(name)) {
      return " (it is a bridge in sensor.bridges: use mode bridged)";
    }
    if (dedicatedInterfaces.contains(name)) {
      return " (it is in sensor.interfaces.dedicated: use mode dedicated)";
    }
    if (captureInterfaces.contains(name)) {
      return " (it is a capture interface, read only by the Capture Engine: use mode passive)";
    }
    return "";
  }

  private static String listing(Set<String> names) {
    return names.isEmpty() ? "is empty" : "lists " + String.join(", ", names);
  }

  private static SortedSet<String> validated(String key, Set<String> names) {
    if (names == null) {
      throw new IllegalArgumentException(key + " is missing");
    }
    var sorted = new TreeSet<String>();
    for (String name : names) {
      if (name == null || !NetworkMode.INTERFACE_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(key + ": invalid interface name '" + name
            + "' (1 to 15 letters, digits, '_', '.' or '-', starting with a letter or digit)");
      }
      sorted.add(name);
    }
    return Collections.unmodifiableSortedSet(sorted);
  }

  private static void disjoint(String keyA, Set<String> a, String keyB, Set<String> b) {
    var both = new TreeSet<>(a);
    both.retainAll(b);
    if (!both.isEmpty()) {
      throw new IllegalArgumentException(String.join(", ", both) + " listed in both " + keyA + " and " + keyB
          + "; each bridge or interface has one use");
    }
  }
}
