package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.permission.Action;
import io.sensorfleet.core.permission.PermissionRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Turns a YAML tree into an {@link InstrumentManifest}, reading every field even after a problem so that one
 * pass reports all of them. Cross-field rules (health timeout below interval, UI port not the TCP control port)
 * are only checked when both fields were valid, so one mistake gives one error.
 */
final class ManifestReader {

  private static final List<String> NETWORK_MODES = List.of("none", "passive", "bridged", "dedicated");

  private ManifestReader() {}

  static ManifestParseResult read(JsonNode root) {
    Problems problems = new Problems();
    if (!root.isObject()) {
      problems.add(ManifestError.DOCUMENT,
          "a manifest is a mapping (id: ..., image: ...), got " + Reads.kind(root));
      return new ManifestParseResult.Invalid(problems.list());
    }
    Optional<InstrumentManifest> manifest = manifest(Section.of(root, "", problems).orElseThrow(), problems);
    if (problems.isEmpty() && manifest.isPresent()) {
      return new ManifestParseResult.Parsed(manifest.get());
    }
    if (problems.isEmpty()) {
      problems.add(ManifestError.DOCUMENT, "invalid manifest");
    }
    return new ManifestParseResult.Invalid(problems.list());
  }

  private static Optional<InstrumentManifest> manifest(Section top, Problems problems) {
    var id = top.required("id", Reads.string().map(InstrumentId::of));
    var image = top.required("image", Reads.string().map(ImageAlias::of));
    var description = top.optional("description", Reads.string().map(InstrumentManifest::requireDescription));
    Read<List<String>> commandRead =
        Reads.list(Reads.string().map(InstrumentManifest::requireArgument)).map(InstrumentManifest::requireCommand);
    var command = top.withDefault("command", commandRead, List.of());
    var network = top.withDefault("network", ManifestReader::network, new NetworkMode.None());
    var storage = top.withDefault("storage", ManifestReader::storage, Storage.DEFAULT);
    var retention = top.withDefault("retention",
        Reads.duration().map(InstrumentManifest::requireRetention), InstrumentManifest.DEFAULT_RETENTION);
    var health = top.withDefault("health", ManifestReader::health, Health.DEFAULT);
    var limits = top.withDefault("limits", ManifestReader::limits, Limits.DEFAULT);
    var ui = top.optional("ui", ManifestReader::ui);
    var control = top.withDefault("control", Reads.string().map(ControlChannel::fromJson), ControlChannel.SOCKET);
    var permissions = top.withDefault("permissions", ManifestReader::permissions, List.of());
    var config = top.withDefault("config", Reads.any().map(InstrumentManifest::requireConfig),
        JsonNodeFactory.instance.objectNode());
    top.rejectUnknownKeys();

    if (ui.isPresent() && control.isPresent()) {
      try {
        InstrumentManifest.requireUiPortFree(ui.get().port(), control.get());
      } catch (IllegalArgumentException e) {
        problems.add("ui.port", e.getMessage());
        return Optional.empty();
      }
    }
    if (!problems.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new InstrumentManifest(id.orElseThrow(), image.orElseThrow(), description, command.orElseThrow(),
          network.orElseThrow(), storage.orElseThrow(), retention.orElseThrow(), health.orElseThrow(),
          limits.orElseThrow(), ui, control.orElseThrow(), permissions.orElseThrow(), config.orElseThrow()));
    } catch (IllegalArgumentException e) {
      // The readers check every rule the record does; reaching this means they drifted apart.
      problems.add(ManifestError.DOCUMENT, e.getMessage());
      return Optional.empty();
    }
  }

  private static Optional<NetworkMode> network(JsonNode node, String path, Problems problems) {
    return Section.of(node, path, problems).flatMap(s -> {
      Optional<String> mode = s.required("mode", Reads.string());
      Optional<NetworkMode> network = mode.flatMap(name -> switch (name) {
        case "none" -> Optional.of(new NetworkMode.None());
        case "passive" -> s.withDefault("filter", Reads.string().map(NetworkMode.Passive::new),
            NetworkMode.Passive.everything());
        case "bridged" -> {
          var bridge = s.required("bridge", Reads.string().map(NetworkMode.Bridged::new));
          var address = staticAddress(s);
          yield bridge.isPresent() && address.isPresent()
              ? Optional.of(new NetworkMode.Bridged(bridge.get().bridge(), address.get())) : Optional.empty();
        }
        case "dedicated" -> {
          var device = s.required("interface", Reads.string().map(NetworkMode.Dedicated::new));
          var address = staticAddress(s);
          yield device.isPresent() && address.isPresent()
              ? Optional.of(new NetworkMode.Dedicated(device.get().interfaceName(), address.get())) : Optional.empty();
        }
        default -> {
          problems.add(s.path("mode"), "unknown network mode " + Text.quoted(name)
              + Section.suggestion(name, NETWORK_MODES)
              + "; expected one of " + NetworkMode.MODES);
          yield Optional.empty();
        }
      });
      if (mode.filter(NETWORK_MODES::contains).isPresent()) {
        s.rejectUnknownKeys(); // which keys are unknown depends on the mode
      }
      return network;
    });
  }

  /**
   * The optional {@code address}, {@code gateway} and {@code dns} of a bridged or dedicated network: empty when
   * invalid, an empty optional inside when not given. A gateway or name servers without an address are an error
   * (the platform sets them with the address); the gateway is only checked against the address's prefix when the
   * address itself was valid.
   */
  private static Optional<Optional<StaticAddress>> staticAddress(Section s) {
    boolean given = s.has("address");
    var address = s.optional("address", Reads.string().map(StaticAddress::requireAddress));
    var gateway = s.optional("gateway", Reads.string());
    Read<List<String>> dnsRead = Reads.list(Reads.string().map(StaticAddress::requireDnsServer))
        .map(StaticAddress::requireDnsServers);
    var dns = s.withDefault("dns", dnsRead, List.<String>of());
    boolean valid = (!given || address.isPresent()) && (!s.has("gateway") || gateway.isPresent()) && dns.isPresent();
    if (address.isEmpty()) {
      for (String key : List.of("gateway", "dns")) {
        if (s.has(key) && !given) {
          s.problems().add(s.path(key), "needs an address: add address, e.g. 10.254.0.10/24");
          valid = false;
        }
      }
      return valid ? Optional.of(Optional.empty()) : Optional.empty();
    }
    if (!valid) {
      return Optional.empty();
    }
    try {
      return Optional.of(Optional.of(new StaticAddress(address.get(), gateway, dns.get())));
    } catch (IllegalArgumentException e) {
      s.problems().add(s.path("gateway"), e.getMessage());  // the only rule across fields: gateway in the prefix
      return Optional.empty();
    }
  }

  private static Optional<Storage> storage(JsonNode node, String path, Problems problems) {
    return Section.of(node, path, problems).flatMap(s -> {
      var persistent = s.withDefault("persistent", Reads.byteSize(), Storage.DEFAULT_PERSISTENT);
      var transientSize = s.withDefault("transient", Reads.byteSize(), Storage.DEFAULT_TRANSIENT);
      s.rejectUnknownKeys();
      if (persistent.isEmpty() || transientSize.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new Storage(persistent.get(), transientSize.get()));
    });
  }

  private static Optional<Health> health(JsonNode node, String path, Problems problems) {
    return Section.of(node, path, problems).flatMap(s -> {
      var interval = s.withDefault("interval", Reads.duration().map(Health::requireInterval),
          Health.DEFAULT.interval());
      boolean timeoutGiven = s.has("timeout");
      var timeout = s.withDefault("timeout", Reads.duration().map(Health::requireTimeout), Health.DEFAULT.timeout());
      var failures = s.withDefault("failures-before-restart", Reads.integer(1, 100),
          Health.DEFAULT.failuresBeforeRestart());
      var startPeriod = s.withDefault("start-period", Reads.duration().map(Health::requireStartPeriod),
          Health.DEFAULT.startPeriod());
      s.rejectUnknownKeys();
      if (interval.isEmpty() || timeout.isEmpty() || failures.isEmpty() || startPeriod.isEmpty()) {
        return Optional.empty();
      }
      if (timeout.get().compareTo(interval.get()) >= 0) {
        String reason = Health.timeoutNotShorter(interval.get(), timeout.get());
        problems.add(s.path("timeout"), timeoutGiven ? reason : reason + " (the default): set a shorter timeout");
        return Optional.empty();
      }
      return Optional.of(new Health(interval.get(), timeout.get(), failures.get(), startPeriod.get()));
    });
  }

  private static Optional<Limits> limits(JsonNode node, String path, Problems problems) {
    return Section.of(node, path, problems).flatMap(s -> {
      var cpus = s.withDefault("cpus", Reads.integer(1, 64), Limits.DEFAULT.cpus());
      var allowance = s.has("cpu-allowance")
          ? s.optional("cpu-allowance", ManifestReader::allowance).map(OptionalInt::of)
          : Optional.of(OptionalInt.empty());
      var memory = s.withDefault("memory", Reads.byteSize().map(Limits::requireMemory), Limits.DEFAULT.memory());
      var processes = s.withDefault("processes", Reads.integer(1, 32768), Limits.DEFAULT.processes());
      s.rejectUnknownKeys();
      if (cpus.isEmpty() || allowance.isEmpty() || memory.isEmpty() || processes.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new Limits(cpus.get(), allowance.get(), memory.get(), processes.get()));
    });
  }

  private static Optional<Integer> allowance(JsonNode node, String path, Problems problems) {
    if (node.isNumber()) {
      problems.add(path, "write a percentage like " + node.asText() + "%");
      return Optional.empty();
    }
    return Reads.string().map(Limits::parseAllowance).read(node, path, problems);
  }

  private static Optional<Ui> ui(JsonNode node, String path, Problems problems) {
    return Section.of(node, path, problems).flatMap(s -> {
      var port = s.required("port", Reads.integer(1, 65535));
      s.rejectUnknownKeys();
      return port.map(Ui::new);
    });
  }

  private static Optional<List<PermissionRequest>> permissions(JsonNode node, String path, Problems problems) {
    return Reads.list(ManifestReader::permission).read(node, path, problems).flatMap(requests -> {
      if (requests.size() > InstrumentManifest.MAX_PERMISSIONS) {
        problems.add(path, "at most " + InstrumentManifest.MAX_PERMISSIONS + " permissions, got " + requests.size());
        return Optional.empty();
      }
      Map<PermissionRequest, Integer> firstIndex = new HashMap<>();
      boolean unique = true;
      for (int i = 0; i < requests.size(); i++) {
        Integer first = firstIndex.putIfAbsent(requests.get(i), i);
        if (first != null) {
          problems.add(path + "[" + i + "]", "repeats " + path + "[" + first + "]");
          unique = false;
        }
      }
      return unique ? Optional.of(requests) : Optional.empty();
    });
  }

  /** One {@code {action: object}} entry, e.g. {@code {subscribe: dns}}. */
  private static Optional<PermissionRequest> permission(JsonNode node, String path, Problems problems) {
    if (!node.isObject() || node.size() != 1) {
      problems.add(path, "expected one action and its object, e.g. {subscribe: dns}, got "
          + (node.isObject() ? node.size() + " fields" : Reads.kind(node)) + "; actions: " + Action.wireNames());
      return Optional.empty();
    }
    var entry = node.properties().iterator().next();
    String key = entry.getKey();
    String entryPath = path + "." + key;
    Optional<Action> action = Action.fromWireName(key);
    if (action.isEmpty()) {
      List<String> names = List.of(Action.values()).stream().map(Action::wireName).toList();
      problems.add(entryPath, "unknown permission" + Section.suggestion(key, names) + "; expected one of "
          + Action.wireNames());
      return Optional.empty();
    }
    return Reads.string().map(object -> new PermissionRequest(action.get(), object))
        .read(entry.getValue(), entryPath, problems);
  }
}
