package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.core.access.Operation.Area;
import io.sensorfleet.core.network.NetworkAllowlist;
import io.sensorfleet.core.network.NetworkClaim;
import io.sensorfleet.http.auth.Access;
import io.sensorfleet.http.json.NetworkView;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/network}: the sensor's networking as Instruments see it — the allowlist of the sensor config,
 * who uses what, and the host's interfaces. Read-only: the allowlist is set in {@code conf/sensor.conf} for now.
 */
public final class NetworkRoutes {

  private final NetworkAllowlist allowlist;
  private final Supplier<List<NetworkView.HostInterface>> host;
  private final Fleet fleet;
  private final Access access;
  private final ObjectMapper mapper;
  private final Endpoints endpoints = new Endpoints();

  /**
   * @param allowlist what the sensor config offers Instruments
   * @param host      the host's interfaces ({@link #hostInterfaces} in the sensor), without roles
   */
  public NetworkRoutes(NetworkAllowlist allowlist, Supplier<List<NetworkView.HostInterface>> host, Fleet fleet,
      Access access, ObjectMapper mapper) {
    this.allowlist = allowlist;
    this.host = host;
    this.fleet = fleet;
    this.access = access;
    this.mapper = mapper;
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  public Route route() {
    return endpoints.get("/api/v1/network", vars -> access.require(Area.READ, caller ->
        onSuccess(fleet.list(), all -> completeOK(view(all), Jackson.marshaller(mapper)))));
  }

  private NetworkView view(List<Instrument.Status> instruments) {
    List<NetworkClaim> claims = instruments.stream()
        .flatMap(s -> s.manifest().flatMap(m -> NetworkClaim.of(s.id(), m.network())).stream()).toList();
    List<NetworkView.HostInterface> interfaces = host.get();
    Set<String> present = interfaces.stream().map(NetworkView.HostInterface::name)
        .collect(java.util.stream.Collectors.toSet());
    return new NetworkView(
        offered(allowlist.bridges(), present, claims, (c, name) -> c instanceof NetworkClaim.Bridge b
            && b.bridge().equals(name)),
        offered(allowlist.dedicatedInterfaces(), present, claims, (c, name) ->
            c instanceof NetworkClaim.DedicatedInterface d && d.interfaceName().equals(name)),
        offered(allowlist.captureInterfaces(), present, claims, (c, name) -> c instanceof NetworkClaim.Capture),
        interfaces.stream().map(i -> new NetworkView.HostInterface(i.name(), i.up(), i.loopback(), i.addresses(),
            role(i.name()))).toList());
  }

  private static List<NetworkView.Offered> offered(Collection<String> names, Set<String> present,
      List<NetworkClaim> claims, java.util.function.BiPredicate<NetworkClaim, String> uses) {
    return names.stream().sorted().map(name -> new NetworkView.Offered(name, present.contains(name),
        claims.stream().filter(c -> uses.test(c, name)).map(c -> c.holder().value()).sorted().toList())).toList();
  }

  private String role(String name) {
    Predicate<Collection<String>> in = names -> names.contains(name);
    if (in.test(allowlist.captureInterfaces())) {
      return "capture";
    }
    if (in.test(allowlist.bridges())) {
      return "bridge";
    }
    return in.test(allowlist.dedicatedInterfaces()) ? "dedicated" : "host";
  }

  /** The host's interfaces as the JVM sees them (names, state, addresses with prefix length). */
  public static List<NetworkView.HostInterface> hostInterfaces() {
    try {
      return NetworkInterface.networkInterfaces().map(i -> {
        try {
          return new NetworkView.HostInterface(i.getName(), i.isUp(), i.isLoopback(),
              i.getInterfaceAddresses().stream().map(a -> a.getAddress().getHostAddress().replaceAll("%.*$", "")
                  + "/" + a.getNetworkPrefixLength()).sorted().toList(), "host");
        } catch (SocketException e) {
          return new NetworkView.HostInterface(i.getName(), false, false, List.of(), "host");
        }
      }).sorted(java.util.Comparator.comparing(NetworkView.HostInterface::name)).toList();
    } catch (SocketException e) {
      throw new IllegalStateException("cannot list the host's interfaces: " + e.getMessage(), e);
    }
  }
}
