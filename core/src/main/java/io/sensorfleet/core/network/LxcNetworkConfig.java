package io.sensorfleet.core.network;

import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.core.runtime.SecureDefaults;
import java.util.ArrayList;

/**
 * What LXC itself is told about an Instrument's network, through the container's {@code raw.lxc} (which
 * {@link SecureDefaults} owns): a pure function of the manifest's {@link NetworkMode}, so the Instrument actor sets
 * it at create and checks it before every start, and tests can build the same container.
 */
public final class LxcNetworkConfig {

  /** IPv6 off inside a passive Instrument's container. */
  public static final String PASSIVE_SYSCTLS = "lxc.sysctl.net.ipv6.conf.all.disable_ipv6 = 1\n"
      + "lxc.sysctl.net.ipv6.conf.default.disable_ipv6 = 1";

  private LxcNetworkConfig() {}

  /**
   * The container's {@code raw.lxc} for its network {@code mode}: the secure defaults' cgroup mount, and
   * <ul>
   *   <li>for a passive Instrument, IPv6 off. Its kernel would send IPv6 router solicitations and MLD reports on its
   *       receive-only link by itself: they would only be dropped, and counted as frames the Instrument tried to
   *       send. Without IPv6 nothing is sent unless the Instrument itself tries, so "blocked" means what it says.
   *   <li>for a bridged or dedicated Instrument with an {@code address}, that address (with its broadcast: liblxc
   *       computes a wrong one by itself) and the gateway on its NIC. LXC sets them while it builds the container's
   *       network, before init runs, on every start (also a reboot from inside): an unmanaged bridge has no DHCP.
   *       LXD allows exactly these {@code lxc.net.N.ipv4.*} keys in {@code raw.lxc}. The platform gives a container
   *       at most one NIC ({@link NetworkPlan#NIC}), and LXC numbers the NICs LXD
   *       passes from 0, so it is {@code lxc.net.0}.
   * </ul>
   */
  public static String rawLxc(NetworkMode mode) {
    var lines = new ArrayList<String>();
    lines.add(SecureDefaults.CGROUP_MOUNT);
    if (mode instanceof NetworkMode.Passive) {
      lines.add(PASSIVE_SYSCTLS);
    }
    mode.staticAddress().ifPresent(address -> {
      lines.add("lxc.net.0.ipv4.address = " + address.address() + " " + address.broadcast());
      address.gateway().ifPresent(gateway -> lines.add("lxc.net.0.ipv4.gateway = " + gateway));
    });
    return String.join("\n", lines);
  }
}
