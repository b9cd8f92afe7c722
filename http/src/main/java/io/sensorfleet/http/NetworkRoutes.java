package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.core.access.Operation.Area;
import io.sensorfleet.core.network.NetworkAllowlist;
import io.sensorfleet.core.network.NetworkClaim;
import io.sensorfleet.http.auth.Access;
import io.sensorfleet.core.manifest.NetworkMode;
import io.sensorfleet.http.json.ApiError;
import io.sensorfleet.http.json.NetworkUpdateRequest;
import io.sensorfleet.http.json.NetworkView;
import java.util.ArrayList;
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
 * {@code GET /api/v1/network}: the sensor's networking as Instruments see it — the allowlist in force (the sensor
 * config's, or as an admin last set it), who uses what, and the host's interfaces. {@code PUT /api/v1/network}
 * (admin): which bridges and dedicated interfaces Instruments may use from now on; each entry is checked (400 naming
 * {@code bridges[2]}), a bridge or interface an installed Instrument uses cannot be taken away (409), and the change
 * is journaled and audited by the sensor's {@code NetworkStore} before it is put in force.
 */
public final class NetworkRoutes {

  private final NetworkControl network;
  private final Supplier<List<NetworkView.HostInterface>> host;
  private final Fleet fleet;
  private final Access access;
  private final Bodies bodies;
  private final java.util.function.Function<io.sensorfleet.audit.AuditRequest,
      java.util.concurrent.CompletionStage<?>> audit;
  private final ObjectMapper mapper;
  private final Endpoints endpoints = new Endpoints();

  /**
   * @param network the allowlist in force, and changes to it
   * @param host    the host's interfaces ({@link #hostInterfaces} in the sensor), without roles
   */
  public NetworkRoutes(NetworkControl network, Supplier<List<NetworkView.HostInterface>> host, Fleet fleet,
      Access access, Bodies bodies, ObjectMapper mapper,
      java.util.function.Function<io.sensorfleet.audit.AuditRequest, java.util.concurrent.CompletionStage<?>> audit) {
    this.audit = audit;
    this.network = network;
    this.bodies = bodies;
    this.host = host;
    this.fleet = fleet;
    this.access = access;
    this.mapper = mapper;
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  public Route route() {
    return concat(
        endpoints.get("/api/v1/network", vars -> access.require(Area.READ, caller -> current())),
        endpoints.put("/api/v1/network", vars -> access.require(Area.NETWORK, caller ->
            bodies.json(NetworkUpdateRequest.class, request -> {
              var bridges = names("bridges", request.bridges());
              var dedicated = names("dedicatedInterfaces", request.dedicatedInterfaces());
              var change = network.current().thenCombine(fleet.list(), (state, all) -> {
                check(bridges, dedicated, state.allowlist(), all);
                return state;
              }).thenCompose(state -> audit.apply(io.sensorfleet.audit.AuditRequest.of(caller.principal(),
                  "network allowlist change requested", io.sensorfleet.audit.AuditKind.NETWORK,
                  io.sensorfleet.audit.Outcome.OK, "bridges " + new java.util.TreeSet<>(bridges) + ", dedicated "
                      + new java.util.TreeSet<>(dedicated))))
                  // Recorded first: a journal that cannot take the record never reaches the store (fail closed).
                  .thenCompose(recorded -> network.set(bridges, dedicated, caller.principal()));
              return onSuccess(change, state -> current());
            }))));
  }

  private Route current() {
    return onSuccess(network.current().thenCombine(fleet.list(), (state, all) -> view(state.allowlist(), all)),
        view -> completeOK(view, Jackson.marshaller(mapper)));
  }

  /** The names of one list, each a valid interface name, no repeats; 400 naming {@code list[i]} otherwise. */
  private static Set<String> names(String list, List<String> names) {
    if (names == null) {
      throw new ApiException.BadRequest("invalid-network", list + " is required (an empty list offers none)",
          List.of(new ApiError.FieldError(list, "required")));
    }
    var errors = new ArrayList<ApiError.FieldError>();
    var seen = new java.util.LinkedHashSet<String>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name == null || !NetworkMode.INTERFACE_NAME.matcher(name).matches()) {
        errors.add(new ApiError.FieldError(list + "[" + i + "]", "not an interface name (1 to 15 letters, digits, "
            + "'_', '.' or '-', starting with a letter or digit)"));
      } else if (!seen.add(name)) {
        errors.add(new ApiError.FieldError(list + "[" + i + "]", "'" + name + "' is listed twice"));
      }
    }
    if (!errors.isEmpty()) {
      throw new ApiException.BadRequest("invalid-network", errors.size() + " problem(s) in " + list, errors);
    }
    return Set.copyOf(seen);
  }

  /**
   * One use per name (a bridge is not also dedicated, neither is a capture interface: 400), and nothing an installed
   * Instrument uses is taken away (409).
   */
  private static void check(Set<String> bridges, Set<String> dedicated, NetworkAllowlist current,
      List<Instrument.Status> instruments) {
    var errors = new ArrayList<ApiError.FieldError>();
    for (String name : new java.util.TreeSet<>(dedicated)) {
      if (bridges.contains(name)) {
        errors.add(new ApiError.FieldError("dedicatedInterfaces", "'" + name + "' is also in bridges"));
      }
    }
    for (String name : new java.util.TreeSet<>(bridges)) {
      if (current.captureInterfaces().contains(name)) {
        errors.add(new ApiError.FieldError("bridges", "'" + name + "' is a capture interface"));
      }
    }
    for (String name : new java.util.TreeSet<>(dedicated)) {
      if (current.captureInterfaces().contains(name)) {
        errors.add(new ApiError.FieldError("dedicatedInterfaces", "'" + name + "' is a capture interface"));
      }
    }
    if (!errors.isEmpty()) {
      throw new ApiException.BadRequest("invalid-network", "each bridge or interface has one use", errors);
    }
    for (Instrument.Status s : instruments) {
      var claim = s.manifest().flatMap(m -> NetworkClaim.of(s.id(), m.network()));
      if (claim.orElse(null) instanceof NetworkClaim.Bridge b && !bridges.contains(b.bridge())) {
        throw new ApiException.Conflict("bridge " + b.bridge() + " is used by Instrument " + s.id()
            + ": remove it (or change its manifest) first");
      }
      if (claim.orElse(null) instanceof NetworkClaim.DedicatedInterface d && !dedicated.contains(d.interfaceName())) {
        throw new ApiException.Conflict("interface " + d.interfaceName() + " is dedicated to Instrument " + s.id()
            + ": remove it (or change its manifest) first");
      }
    }
  }

  private NetworkView view(NetworkAllowlist allowlist, List<Instrument.Status> instruments) {
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
            role(allowlist, i.name()))).toList());
  }

  private static List<NetworkView.Offered> offered(Collection<String> names, Set<String> present,
      List<NetworkClaim> claims, java.util.function.BiPredicate<NetworkClaim, String> uses) {
    return names.stream().sorted().map(name -> new NetworkView.Offered(name, present.contains(name),
        claims.stream().filter(c -> uses.test(c, name)).map(c -> c.holder().value()).sorted().toList())).toList();
  }

  private static String role(NetworkAllowlist allowlist, String name) {
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
