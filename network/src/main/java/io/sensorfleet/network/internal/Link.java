package io.sensorfleet.network.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One host network interface as {@code ip -j -d address show dev NAME} describes it: what the provisioner needs
 * to decide whether an Instrument may have it.
 *
 * @param name the interface name
 * @param kind {@code linkinfo.info_kind} ({@code bridge}, {@code veth}, ...); empty for a plain physical NIC
 * @param linkType {@code ether}, {@code loopback}, ...
 * @param master the bridge (or bond) it is a port of, if any
 * @param addresses its IPv4 and IPv6 addresses
 */
public record Link(String name, String kind, String linkType, Optional<String> master, List<Address> addresses) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public Link {
    addresses = List.copyOf(addresses);
  }

  /** An address as {@code ip} prints it, e.g. {@code inet 10.0.0.1/24 scope global}. */
  public record Address(String family, String local, int prefixLength, String scope) {
    @Override
    public String toString() {
      return local + "/" + prefixLength;
    }
  }

  public boolean isBridge() {
    return kind.equals("bridge");
  }

  /**
   * The addresses through which the host itself is reachable beyond this link: every IPv4 address and the IPv6
   * addresses that are not link-local (the kernel gives every up interface one of those by itself).
   */
  public List<Address> hostAddresses() {
    return addresses.stream().filter(a -> a.family().equals("inet") || !a.scope().equals("link")).toList();
  }

  /** What {@code kind} to name in messages: a plain NIC has none. */
  public String describeKind() {
    if (linkType.equals("loopback")) {
      return "loopback";
    }
    return kind.isEmpty() ? "physical" : kind;
  }

  /**
   * The single link in {@code ip -j -d address show dev NAME}'s output.
   *
   * @throws IllegalArgumentException if the output is not that
   */
  public static Link parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("ip printed no JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isArray() || root.size() != 1) {
      throw new IllegalArgumentException("ip printed " + (root == null ? "nothing" : root.size() + " links")
          + " instead of one");
    }
    JsonNode link = root.get(0);
    var addresses = new ArrayList<Address>();
    for (JsonNode a : link.path("addr_info")) {
      addresses.add(new Address(a.path("family").asText(), a.path("local").asText(), a.path("prefixlen").asInt(),
          a.path("scope").asText()));
    }
    String master = link.path("master").asText("");
    return new Link(
        link.path("ifname").asText(),
        link.path("linkinfo").path("info_kind").asText(""),
        link.path("link_type").asText(""),
        master.isEmpty() ? Optional.empty() : Optional.of(master),
        addresses);
  }
}
