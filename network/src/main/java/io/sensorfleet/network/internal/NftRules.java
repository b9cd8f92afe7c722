package io.sensorfleet.network.internal;

import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The nftables scripts of the provisioner, each applied with {@code nft -f -} as one atomic transaction. Every
 * script is idempotent: it first makes sure what it replaces or deletes exists ({@code add} of an existing table
 * or identical chain is a no-op), so it never fails on a missing object.
 */
public final class NftRules {

  /** Runs before the usual filter priority (0), so an accept of someone else's cannot come first. */
  static final int GUARD_PRIORITY = -10;
  /** As early as ingress gets; the container's frames die before anything else sees them. */
  static final int INGRESS_PRIORITY = -500;
  private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+)");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");

  private NftRules() {}

  /**
   * Replaces the guard of the Instrument bridges: the host accepts nothing arriving from them ({@code input},
   * IPv4, IPv6 and ARP), sends nothing onto them ({@code output}), and forwards nothing between them and any other
   * interface ({@code forward}; with {@code br_netfilter} frames bridged within one bridge pass this hook with the
   * bridge as both input and output, and are let through). Counters show what was stopped.
   */
  public static String bridgeGuard(String table, Collection<String> bridges) {
    requireName(table);
    List<String> names = bridges.stream().sorted().peek(NftRules::requireName).toList();
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a bridge guard needs at least one bridge");
    }
    String set = "{ " + String.join(", ", names.stream().map(n -> "\"" + n + "\"").toList()) + " }";
    var s = new StringBuilder();
    for (String family : List.of("inet", "arp")) {
      s.append("add table ").append(family).append(' ').append(table).append('\n');
      s.append("delete table ").append(family).append(' ').append(table).append('\n');
      s.append("add table ").append(family).append(' ').append(table).append('\n');
      chain(s, family, table, "input", "input");
      s.append("add rule ").append(family).append(' ').append(table).append(" input iifname ").append(set)
          .append(" counter drop\n");
      chain(s, family, table, "output", "output");
      s.append("add rule ").append(family).append(' ').append(table).append(" output oifname ").append(set)
          .append(" counter drop\n");
    }
    chain(s, "inet", table, "forward", "forward");
    for (String bridge : names) {
      String quoted = "\"" + bridge + "\"";
      s.append("add rule inet ").append(table).append(" forward iifname ").append(quoted)
          .append(" oifname != ").append(quoted).append(" counter drop\n");
      s.append("add rule inet ").append(table).append(" forward oifname ").append(quoted)
          .append(" iifname != ").append(quoted).append(" counter drop\n");
    }
    return s.toString();
  }

  /**
   * Makes {@code hostInterface} (a passive Instrument's p2p host end) receive-only: everything the container sends
   * is dropped and counted at ingress. The chain hooks the device by name, so it may be created before the
   * container starts (and re-attaches when it restarts). Two counters: IPv6 address-configuration chatter from the
   * unspecified address (MLD reports, router and DAD neighbour solicitations), which the container's kernel sends
   * by itself when its link comes up, before the platform's sysctls turn IPv6 off in it ({@link #LINK_NOISE}); and
   * everything else, what the Instrument tried to send ({@link #BLOCKED}).
   */
  public static String passiveDrop(String table, String hostInterface) {
    String rule = "add rule netdev " + table + " " + hostInterface + " ";
    return ingressChain(table, hostInterface)
        + rule + "ip6 saddr :: icmpv6 type { mld-listener-report, mld2-listener-report, nd-router-solicit,"
        + " nd-neighbor-solicit } counter drop comment \"" + LINK_NOISE + "\"\n"
        + rule + "counter drop comment \"" + BLOCKED + "\"\n";
  }

  /** The comment of a passive drop chain's rule counting the container kernel's own link-up chatter. */
  public static final String LINK_NOISE = "link-noise";
  /** The comment of a passive drop chain's rule counting what the Instrument tried to send. */
  public static final String BLOCKED = "blocked";

  /** Removes what {@link #passiveDrop} installed; nothing if it is not there. */
  public static String removePassiveDrop(String table, String hostInterface) {
    return ingressChain(table, hostInterface) + "delete chain netdev " + table + " " + hostInterface + "\n";
  }

  /** Removes every table named {@code table}: the guard and all passive drops. */
  public static String removeAll(String table) {
    requireName(table);
    var s = new StringBuilder();
    for (String family : List.of("inet", "arp", "netdev")) {
      s.append("add table ").append(family).append(' ').append(table).append('\n');
      s.append("delete table ").append(family).append(' ').append(table).append('\n');
    }
    return s.toString();
  }

  /**
   * The packets counted by the {@link #BLOCKED} rule of a passive drop chain's {@code nft list chain} listing (of
   * every counter, summed, for a chain made before that rule had its comment); empty if it has no counter.
   */
  public static java.util.OptionalLong blockedPackets(String listing) {
    long sum = 0;
    boolean any = false;
    boolean commented = listing.contains("comment \"" + BLOCKED + "\"");
    for (String line : listing.split("\n")) {
      var m = COUNTER.matcher(line);
      if (m.find() && (!commented || line.contains("comment \"" + BLOCKED + "\""))) {
        sum += Long.parseLong(m.group(1));
        any = true;
      }
    }
    return any ? java.util.OptionalLong.of(sum) : java.util.OptionalLong.empty();
  }

  private static String ingressChain(String table, String device) {
    requireName(table);
    requireName(device);
    return "add table netdev " + table + "\n"
        + "add chain netdev " + table + " " + device + " { type filter hook ingress device \"" + device
        + "\" priority " + INGRESS_PRIORITY + "; policy drop; }\n"
        + "flush chain netdev " + table + " " + device + "\n";
  }

  private static void chain(StringBuilder s, String family, String table, String chain, String hook) {
    s.append("add chain ").append(family).append(' ').append(table).append(' ').append(chain)
        .append(" { type filter hook ").append(hook).append(" priority ").append(GUARD_PRIORITY)
        .append("; policy accept; }\n");
  }

  /** Names end up inside nft scripts: only characters that need no quoting are let through. */
  private static void requireName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a usable nftables or interface name: " + name);
    }
  }
}
