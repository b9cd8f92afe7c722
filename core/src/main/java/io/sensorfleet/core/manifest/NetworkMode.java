package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How an Instrument's container reaches the network. Least privilege: {@link None} unless the tool needs more.
 * In YAML and JSON the mode is the {@code mode} field: {@code {mode: none}}, {@code {mode: passive, filter:
 * "udp port 53"}}, {@code {mode: bridged, bridge: br-lan}}, {@code {mode: dedicated, interface: eth2}}.
 * Bridged and dedicated Instruments may name their IPv4 address, which the platform sets on {@code eth0} at every
 * start: {@code {mode: bridged, bridge: br-lan, address: 10.254.0.10/24, gateway: 10.254.0.1}} (see
 * {@link StaticAddress}).
 *
 * <p>Names of bridges and interfaces are only checked for shape here; whether the sensor offers them
 * ({@code sensor.bridges}, {@code sensor.interfaces.dedicated} in {@code sensor.conf}) is decided when the
 * Instrument is installed.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "mode")
@JsonSubTypes({
    @JsonSubTypes.Type(value = NetworkMode.None.class, name = "none"),
    @JsonSubTypes.Type(value = NetworkMode.Passive.class, name = "passive"),
    @JsonSubTypes.Type(value = NetworkMode.Bridged.class, name = "bridged"),
    @JsonSubTypes.Type(value = NetworkMode.Dedicated.class, name = "dedicated")})
public sealed interface NetworkMode {

  /** The mode names, as YAML spells them. */
  String MODES = "none, passive, bridged, dedicated";

  /** A Linux interface name: at most 15 bytes (IFNAMSIZ), no '/', spaces or ':'. */
  Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");

  /**
   * The address the platform sets on the Instrument's {@code eth0} when its container starts; empty when it sets
   * none (always for {@code none} and {@code passive}).
   */
  default Optional<StaticAddress> staticAddress() {
    return Optional.empty();
  }

  /** No network interface at all except loopback: the bus and the UI still work through bind mounts and proxies. */
  record None() implements NetworkMode {}

  /**
   * Receive-only copies of captured traffic (from {@code sensor.interfaces.capture}) on a p2p interface, never
   * able to send. {@code filter} is a pcap/BPF expression applied by the capture engine, which compiles it; here
   * it is only checked to be printable ASCII of at most 1024 characters. Empty means all traffic; it is also
   * the default when {@code filter} is left out, because an IDS normally wants everything.
   */
  record Passive(String filter) implements NetworkMode {
    public static final int MAX_FILTER_LENGTH = 1024;

    public Passive {
      Objects.requireNonNull(filter, "filter");
      if (filter.length() > MAX_FILTER_LENGTH) {
        throw new IllegalArgumentException("a capture filter has at most " + MAX_FILTER_LENGTH + " characters");
      }
      if (!Text.isPrintableAscii(filter)) {
        throw new IllegalArgumentException("a capture filter must be printable ASCII on one line: " + Text.quoted(filter));
      }
    }

    /** Everything the capture interfaces see. */
    public static Passive everything() {
      return new Passive("");
    }
  }

  /**
   * A NIC on one of the sensor's bridges ({@code sensor.bridges}): full two-way networking on that segment.
   * {@code address}, if given, is set on it at every start (in YAML: {@code address} and {@code gateway}
   * beside {@code bridge}; the journal's JSON nests them).
   */
  record Bridged(String bridge, @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<StaticAddress> address) implements NetworkMode {
    public Bridged {
      requireInterfaceName(bridge, "bridge");
      address = address == null ? Optional.empty() : address;  // journals written before addresses existed
    }

    /** On {@code bridge}, without an address. */
    public Bridged(String bridge) {
      this(bridge, Optional.empty());
    }

    @Override
    public Optional<StaticAddress> staticAddress() {
      return address;
    }
  }

  /** A physical interface ({@code sensor.interfaces.dedicated}) moved into this one container; {@code address} as above. */
  record Dedicated(@JsonProperty("interface") String interfaceName,
                   @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<StaticAddress> address) implements NetworkMode {
    public Dedicated {
      requireInterfaceName(interfaceName, "interface");
      address = address == null ? Optional.empty() : address;
    }

    /** {@code interfaceName}, without an address. */
    public Dedicated(String interfaceName) {
      this(interfaceName, Optional.empty());
    }

    @Override
    public Optional<StaticAddress> staticAddress() {
      return address;
    }
  }

  private static void requireInterfaceName(String name, String what) {
    if (name == null) {
      throw new IllegalArgumentException(what + " name is missing");
    }
    if (!INTERFACE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid " + what + " name " + Text.quoted(name)
          + ": 1 to 15 letters, digits, '_', '.' or '-', starting with a letter or digit");
    }
  }
}
