package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The IPv4 address a {@link NetworkMode.Bridged} or {@link NetworkMode.Dedicated} Instrument gets on its
 * {@code eth0}, set by the platform each time the container starts (an unmanaged bridge has no DHCP). In YAML:
 * {@code network: {mode: bridged, bridge: br-egress, address: 10.254.0.10/24, gateway: 10.254.0.1}}.
 *
 * <p>Only the shape is checked here: a dotted quad without leading zeros, a prefix of 1 to 30 bits, an address
 * that is a usable host of its prefix (not the network or broadcast address, not loopback, multicast,
 * link-local, {@code 0.0.0.0/8} or reserved); the gateway, if any, inside that prefix, a usable host and not the
 * address itself; at most three DNS servers (what {@code resolv.conf} uses), each a dotted quad that is not
 * {@code 0.0.0.0/8}, multicast or reserved, none twice. Which segment the address belongs to is the operator's
 * business.
 *
 * @param address the Instrument's address with its prefix length, canonical ({@code 10.254.0.10/24})
 * @param gateway its default route, if it has one
 * @param dns     the name servers the platform writes into its {@code /etc/resolv.conf}; empty: the file is left
 *                as the image has it
 */
public record StaticAddress(String address, @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<String> gateway,
                            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> dns) {

  public static final int MIN_PREFIX = 1;
  public static final int MAX_PREFIX = 30;
  /** resolv.conf's MAXNS. */
  public static final int MAX_DNS = 3;

  public StaticAddress {
    Objects.requireNonNull(address, "address");
    gateway = gateway == null ? Optional.empty() : gateway;
    address = requireAddress(address);
    String cidr = address;
    gateway = gateway.map(g -> requireGateway(g, cidr));
    dns = requireDnsServers(dns == null ? List.of() : dns.stream().map(StaticAddress::requireDnsServer).toList());
  }

  /** An address without a default route. */
  public static StaticAddress of(String address) {
    return new StaticAddress(address, Optional.empty(), List.of());
  }

  /** {@code address} with the default route {@code gateway}. */
  public static StaticAddress of(String address, String gateway) {
    return new StaticAddress(address, Optional.of(gateway), List.of());
  }

  /** The same address with these name servers. */
  public StaticAddress withDns(List<String> servers) {
    return new StaticAddress(address, gateway, servers);
  }

  /** The {@code /etc/resolv.conf} the platform writes for {@link #dns}. */
  public String resolvConf() {
    var text = new StringBuilder("# written by the sensor from the Instrument's manifest (network.dns)\n");
    dns.forEach(server -> text.append("nameserver ").append(server).append('\n'));
    return text.toString();
  }

  /** The address alone, without its prefix ({@code 10.254.0.10}). */
  public String ip() {
    return address.substring(0, address.indexOf('/'));
  }

  /** The prefix length ({@code 24}). */
  public int prefixLength() {
    return Integer.parseInt(address.substring(address.indexOf('/') + 1));
  }

  /** The broadcast address of the prefix ({@code 10.254.0.255}). */
  public String broadcast() {
    int mask = mask(prefixLength());
    return format((parseIp(ip()) & mask) | ~mask);
  }

  /** Checks {@code text} as {@code a.b.c.d/p}; returns it canonical or throws with the reason. */
  static String requireAddress(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("expected an IPv4 address with its prefix length, e.g. 10.254.0.10/24, got "
          + Text.quoted(cut(text)));
    }
    int ip = parseIp(text.substring(0, slash));
    String prefixText = text.substring(slash + 1);
    if (!prefixText.matches("[0-9]{1,2}")) {
      throw new IllegalArgumentException("invalid prefix length " + Text.quoted(cut(prefixText)) + ": expected "
          + MIN_PREFIX + " to " + MAX_PREFIX);
    }
    int prefix = Integer.parseInt(prefixText);
    if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
      throw new IllegalArgumentException("prefix length must be between " + MIN_PREFIX + " and " + MAX_PREFIX
          + ", got " + prefix);
    }
    requireHost(ip, prefix, "address");
    return format(ip) + "/" + prefix;
  }

  /** Checks {@code text} as a usable host inside {@code cidr} other than its address; returns it canonical. */
  static String requireGateway(String text, String cidr) {
    int gateway = parseIp(text);
    int slash = cidr.indexOf('/');
    int ip = parseIp(cidr.substring(0, slash));
    int prefix = Integer.parseInt(cidr.substring(slash + 1));
    int mask = mask(prefix);
    if ((gateway & mask) != (ip & mask)) {
      throw new IllegalArgumentException("gateway " + format(gateway) + " is not inside " + format(ip & mask) + "/"
          + prefix + ", the address's network");
    }
    requireHost(gateway, prefix, "gateway");
    if (gateway == ip) {
      throw new IllegalArgumentException("the gateway cannot be the Instrument's own address " + format(ip));
    }
    return format(gateway);
  }

  /** Checks one name server's address; returns it canonical. */
  static String requireDnsServer(String text) {
    int ip = parseIp(text);
    int first = ip >>> 24;
    if (first == 0 || first >= 224) {
      throw new IllegalArgumentException("name server " + format(ip) + " is not a usable address"
          + (first == 0 ? " (0.0.0.0/8)" : first < 240 ? " (multicast)" : " (reserved)"));
    }
    return format(ip);
  }

  /** Checks the list of name servers: at most {@link #MAX_DNS}, none twice. */
  static List<String> requireDnsServers(List<String> servers) {
    if (servers.size() > MAX_DNS) {
      throw new IllegalArgumentException("at most " + MAX_DNS + " name servers (resolv.conf uses no more), got "
          + servers.size());
    }
    if (new HashSet<>(servers).size() != servers.size()) {
      throw new IllegalArgumentException("a name server is listed twice");
    }
    return List.copyOf(servers);
  }

  private static void requireHost(int ip, int prefix, String what) {
    int first = ip >>> 24;
    String reason = null;
    if (first == 0) {
      reason = "is in 0.0.0.0/8 (this host)";
    } else if (first == 127) {
      reason = "is a loopback address";
    } else if (first >= 224 && first < 240) {
      reason = "is a multicast address";
    } else if (first >= 240) {
      reason = "is reserved (240.0.0.0/4)";
    } else if ((ip >>> 16) == ((169 << 8) | 254)) {
      reason = "is link-local (169.254.0.0/16)";
    } else {
      int mask = mask(prefix);
      if ((ip & ~mask) == 0) {
        reason = "is the network address of /" + prefix;
      } else if ((ip & ~mask) == ~mask) {
        reason = "is the broadcast address of /" + prefix;
      }
    }
    if (reason != null) {
      throw new IllegalArgumentException(what + " " + format(ip) + " " + reason + ": not usable by a host");
    }
  }

  /** A dotted quad, four decimal numbers 0–255 without leading zeros (which some parsers read as octal). */
  static int parseIp(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      throw invalidIp(text);
    }
    int ip = 0;
    for (String part : parts) {
      if (!part.matches("0|[1-9][0-9]{0,2}")) {
        throw invalidIp(text);
      }
      int octet = Integer.parseInt(part);
      if (octet > 255) {
        throw invalidIp(text);
      }
      ip = (ip << 8) | octet;
    }
    return ip;
  }

  private static IllegalArgumentException invalidIp(String text) {
    return new IllegalArgumentException("invalid IPv4 address " + Text.quoted(cut(text))
        + ": expected four numbers 0 to 255 without leading zeros, e.g. 10.254.0.10");
  }

  private static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  private static String format(int ip) {
    return (ip >>> 24) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff);
  }

  private static String cut(String text) {
    return text.length() > 40 ? text.substring(0, 40) + "..." : text;
  }
}
