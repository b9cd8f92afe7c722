package io.sensorfleet.lxd.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sensorfleet.core.runtime.ContainerInfo;
import io.sensorfleet.core.runtime.ContainerSpec;
import io.sensorfleet.core.runtime.ContainerState;
import io.sensorfleet.core.runtime.ContainerStatus;
import io.sensorfleet.core.runtime.Device;
import io.sensorfleet.core.runtime.ExecRequest;
import io.sensorfleet.core.runtime.LifecycleEvent;
import io.sensorfleet.core.runtime.StorageVolume;
import io.sensorfleet.core.runtime.VolumeSpec;
import io.sensorfleet.lxd.LxdServerInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * LXD's JSON: request bodies built from the port's types, responses parsed into them. Pure functions, tested
 * against responses captured from LXD 5.0.2.
 *
 * <p>The adapter has its own {@link ObjectMapper}: LXD's wire format is unrelated to the sensor's own JSON (HTTP
 * API and journal), and only trees are read and written here, never bound to classes.
 */
public final class LxdJson {

  public static final ObjectMapper MAPPER = new ObjectMapper();

  private LxdJson() {}

  // ---- envelopes

  /**
   * LXD's response envelope: {@code type} is sync, async or error; {@code operation} the path of an async
   * operation; {@code errorCode} and {@code error} describe an error; {@code metadata} is the payload.
   */
  public record Envelope(String type, String operation, int errorCode, String error, JsonNode metadata) {
    public boolean isAsync() {
      return "async".equals(type);
    }

    public boolean isError() {
      return "error".equals(type);
    }
  }

  public static Envelope envelope(byte[] body) {
    JsonNode root = read(body);
    return new Envelope(
        root.path("type").asText(""),
        root.path("operation").asText(""),
        root.path("error_code").asInt(0),
        root.path("error").asText(""),
        root.path("metadata"));
  }

  /** An operation: {@code status} Success, Failure, Cancelled or (still) Running; {@code err} on failure. */
  public record Operation(String id, String status, int statusCode, String err, JsonNode metadata) {
    public boolean succeeded() {
      return "Success".equals(status);
    }

    public boolean failed() {
      return "Failure".equals(status) || "Cancelled".equals(status);
    }
  }

  public static Operation operation(JsonNode op) {
    return new Operation(
        op.path("id").asText(""),
        op.path("status").asText(""),
        op.path("status_code").asInt(0),
        op.path("err").asText(""),
        op.path("metadata"));
  }

  // ---- requests

  /** Body of {@code POST /1.0/instances}: the spec, no profiles but those configured, and a root disk. */
  public static ObjectNode createInstance(ContainerSpec spec, String storagePool, List<String> profiles) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("name", spec.name());
    body.put("type", "container");
    body.putObject("source").put("type", "image").put("alias", spec.imageAlias());
    ObjectNode config = body.putObject("config");
    spec.effectiveConfig().forEach(config::put);
    ObjectNode devices = body.putObject("devices");
    if (!spec.devices().containsKey("root")) {
      devices.putObject("root").put("type", "disk").put("path", "/").put("pool", storagePool);
    }
    spec.devices().forEach((name, device) -> devices.set(name, device(device)));
    ArrayNode profileNames = body.putArray("profiles");
    profiles.forEach(profileNames::add);
    return body;
  }

  /** Body of {@code PUT /1.0/instances/N/state}. {@code timeoutSeconds} -1 lets LXD wait without limit. */
  public static ObjectNode stateChange(String action, int timeoutSeconds, boolean force) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("action", action);
    body.put("timeout", timeoutSeconds);
    body.put("force", force);
    return body;
  }

  /** Body of {@code POST /1.0/instances/N/exec} in record-output mode. */
  public static ObjectNode exec(ExecRequest request) {
    ObjectNode body = MAPPER.createObjectNode();
    ArrayNode command = body.putArray("command");
    request.command().forEach(command::add);
    ObjectNode environment = body.putObject("environment");
    request.environment().forEach(environment::put);
    body.put("wait-for-websocket", false);
    body.put("interactive", false);
    body.put("record-output", true);
    if (!request.workingDirectory().isEmpty()) {
      body.put("cwd", request.workingDirectory());
    }
    body.put("user", request.uid());
    body.put("group", request.gid());
    return body;
  }

  /** Body of {@code PATCH /1.0/instances/N} adding one device (LXD merges the devices map). */
  public static ObjectNode addDevice(String deviceName, Device device) {
    ObjectNode body = MAPPER.createObjectNode();
    body.putObject("devices").set(deviceName, device(device));
    return body;
  }

  /** Body of {@code PATCH /1.0/instances/N} setting config keys (LXD merges the config map). */
  public static ObjectNode setConfig(Map<String, String> config) {
    ObjectNode body = MAPPER.createObjectNode();
    ObjectNode keys = body.putObject("config");
    config.forEach(keys::put);
    return body;
  }

  /** The writable part of an instance ({@code InstancePut}) with one device removed, for a PUT with If-Match. */
  public static ObjectNode withoutDevice(JsonNode instance, String deviceName) {
    ObjectNode put = MAPPER.createObjectNode();
    for (String field : List.of("architecture", "config", "devices", "ephemeral", "profiles", "stateful",
        "description")) {
      if (instance.has(field)) {
        put.set(field, instance.get(field).deepCopy());
      }
    }
    ((ObjectNode) put.path("devices")).remove(deviceName);
    return put;
  }

  /** Body of {@code POST /1.0/storage-pools/P/volumes/custom}. */
  public static ObjectNode createVolume(VolumeSpec spec) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("name", spec.name());
    body.put("type", "custom");
    body.put("content_type", "filesystem");
    ObjectNode config = body.putObject("config");
    spec.config().forEach(config::put);
    return body;
  }

  // ---- devices

  /** A device as LXD's string map. */
  public static ObjectNode device(Device device) {
    var m = new LinkedHashMap<String, String>();
    switch (device) {
      case Device.Disk d -> {
        m.put("type", "disk");
        m.put("source", d.source());
        m.put("path", d.path());
        if (d.readonly()) {
          m.put("readonly", "true");
        }
      }
      case Device.Volume v -> {
        m.put("type", "disk");
        m.put("pool", v.pool());
        m.put("source", v.volume());
        m.put("path", v.path());
      }
      case Device.Proxy p -> {
        m.put("type", "proxy");
        m.put("listen", p.listen());
        m.put("connect", p.connect());
        m.put("bind", p.bind() == Device.Proxy.Bind.HOST ? "host" : "container");
        p.socketPermissions().ifPresent(s -> {
          m.put("uid", Integer.toString(s.uid()));
          m.put("gid", Integer.toString(s.gid()));
          m.put("mode", String.format("%04o", s.mode()));
        });
      }
      case Device.P2p n -> {
        m.put("type", "nic");
        m.put("nictype", "p2p");
        m.put("host_name", n.hostName());
        m.put("name", n.name());
      }
      case Device.Bridged n -> {
        m.put("type", "nic");
        m.put("nictype", "bridged");
        m.put("parent", n.parent());
        m.put("host_name", n.hostName());
        m.put("name", n.name());
      }
      case Device.Physical n -> {
        m.put("type", "nic");
        m.put("nictype", "physical");
        m.put("parent", n.parent());
        m.put("name", n.name());
      }
      case Device.Other o -> {
        m.put("type", o.type());
        m.putAll(o.options());
      }
    }
    ObjectNode node = MAPPER.createObjectNode();
    m.forEach(node::put);
    return node;
  }

  /**
   * A device read back from LXD: the matching record when its options are exactly those the record holds,
   * otherwise {@link Device.Other} with everything, so that nothing is lost.
   */
  public static Device device(Map<String, String> m) {
    String type = m.getOrDefault("type", "");
    try {
      Optional<Device> typed = switch (type) {
        case "disk" -> disk(m);
        case "proxy" -> proxy(m);
        case "nic" -> nic(m);
        default -> Optional.empty();
      };
      if (typed.isPresent()) {
        return typed.get();
      }
    } catch (IllegalArgumentException e) {
      // Options the records reject (a relative path, a long interface name): keep them as they are.
    }
    var options = new LinkedHashMap<>(m);
    options.remove("type");
    return new Device.Other(type.isEmpty() ? "none" : type, options);
  }

  private static Optional<Device> disk(Map<String, String> m) {
    if (m.containsKey("pool") && onlyKeys(m, "type", "pool", "source", "path") && m.size() == 4) {
      return Optional.of(new Device.Volume(m.get("pool"), m.get("source"), m.get("path")));
    }
    String readonly = m.getOrDefault("readonly", "false");
    if (!m.containsKey("pool") && onlyKeys(m, "type", "source", "path", "readonly")
        && m.containsKey("source") && m.containsKey("path") && Set.of("true", "false").contains(readonly)) {
      return Optional.of(new Device.Disk(m.get("source"), m.get("path"), readonly.equals("true")));
    }
    return Optional.empty();
  }

  private static Optional<Device> proxy(Map<String, String> m) {
    if (!onlyKeys(m, "type", "listen", "connect", "bind", "uid", "gid", "mode")) {
      return Optional.empty();
    }
    var bind = "container".equals(m.get("bind")) ? Device.Proxy.Bind.CONTAINER : Device.Proxy.Bind.HOST;
    if (m.containsKey("bind") && !Set.of("host", "container").contains(m.get("bind"))) {
      return Optional.empty();
    }
    var proxy = new Device.Proxy(m.get("listen"), m.get("connect"), bind);
    int permissions = (m.containsKey("uid") ? 1 : 0) + (m.containsKey("gid") ? 1 : 0) + (m.containsKey("mode") ? 1 : 0);
    if (permissions == 0) {
      return Optional.of(proxy);
    }
    if (permissions < 3) {
      return Optional.empty();
    }
    try {
      return Optional.of(proxy.withSocketPermissions(
          Integer.parseInt(m.get("uid")), Integer.parseInt(m.get("gid")), Integer.parseInt(m.get("mode"), 8)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Device> nic(Map<String, String> m) {
    return switch (m.getOrDefault("nictype", "")) {
      case "p2p" -> onlyKeys(m, "type", "nictype", "host_name", "name") && m.size() == 4
          ? Optional.of(new Device.P2p(m.get("host_name"), m.get("name"))) : Optional.empty();
      case "bridged" -> onlyKeys(m, "type", "nictype", "parent", "host_name", "name") && m.size() == 5
          ? Optional.of(new Device.Bridged(m.get("parent"), m.get("host_name"), m.get("name"))) : Optional.empty();
      case "physical" -> onlyKeys(m, "type", "nictype", "parent", "name") && m.size() == 4
          ? Optional.of(new Device.Physical(m.get("parent"), m.get("name"))) : Optional.empty();
      default -> Optional.empty();
    };
  }

  private static boolean onlyKeys(Map<String, String> m, String... allowed) {
    return Set.of(allowed).containsAll(m.keySet());
  }

  // ---- responses

  /** An instance object ({@code GET /1.0/instances/N}, or an element with {@code recursion=1}). */
  public static ContainerInfo instance(JsonNode i) {
    Map<String, String> config = strings(i.path("config"));
    var devices = new LinkedHashMap<String, Device>();
    i.path("devices").properties().forEach(e -> devices.put(e.getKey(), device(strings(e.getValue()))));
    var labels = new LinkedHashMap<String, String>();
    config.forEach((k, v) -> {
      if (k.startsWith(ContainerSpec.LABEL_PREFIX)) {
        labels.put(k.substring(ContainerSpec.LABEL_PREFIX.length()), v);
      }
    });
    return new ContainerInfo(
        i.path("name").asText(),
        status(i.path("status_code").asInt(0), i.path("status").asText("")),
        config,
        devices,
        labels,
        rootHostUid(config),
        instant(i.path("created_at").asText("")));
  }

  public static List<ContainerInfo> instances(JsonNode array) {
    var list = new ArrayList<ContainerInfo>();
    array.forEach(i -> list.add(instance(i)));
    return list;
  }

  /** {@code GET /1.0/instances/N/state}. */
  public static ContainerState state(String name, JsonNode s) {
    return new ContainerState(
        name,
        status(s.path("status_code").asInt(0), s.path("status").asText("")),
        s.path("pid").asLong(0),
        s.path("processes").asInt(0),
        s.path("memory").path("usage").asLong(0),
        s.path("cpu").path("usage").asLong(0));
  }

  /** LXD's status codes (shared/api/status_code.go), with the name as a fallback. */
  public static ContainerStatus status(int code, String name) {
    return switch (code) {
      case 103 -> ContainerStatus.RUNNING;
      case 102 -> ContainerStatus.STOPPED;
      case 106 -> ContainerStatus.STARTING;
      case 107 -> ContainerStatus.STOPPING;
      case 109, 110 -> ContainerStatus.FROZEN;
      case 112 -> ContainerStatus.ERROR;
      default -> switch (name) {
        case "Running" -> ContainerStatus.RUNNING;
        case "Stopped" -> ContainerStatus.STOPPED;
        case "Frozen" -> ContainerStatus.FROZEN;
        case "Error" -> ContainerStatus.ERROR;
        default -> ContainerStatus.UNKNOWN;
      };
    };
  }

  /**
   * The host uid of root inside: from the idmap LXD uses ({@code volatile.idmap.current}) or will use at the next
   * start ({@code volatile.idmap.next}); 0 for a privileged container. {@code volatile.idmap.base} is not enough:
   * it stays 0 for containers sharing the default map.
   */
  static OptionalLong rootHostUid(Map<String, String> config) {
    if ("true".equals(config.get("security.privileged"))) {
      return OptionalLong.of(0);
    }
    for (String key : List.of("volatile.idmap.current", "volatile.idmap.next")) {
      String map = config.get(key);
      if (map == null || map.isBlank()) {
        continue;
      }
      try {
        for (JsonNode entry : MAPPER.readTree(map)) {
          if (entry.path("Isuid").asBoolean(false) && entry.path("Nsid").asLong(-1) == 0) {
            return OptionalLong.of(entry.path("Hostid").asLong());
          }
        }
      } catch (JsonProcessingException e) {
        // Not the format we know: treat it as unknown.
      }
    }
    return OptionalLong.empty();
  }

  /** {@code GET /1.0/storage-pools/P/volumes/custom?recursion=1}. */
  public static List<StorageVolume> volumes(String pool, JsonNode array) {
    var list = new ArrayList<StorageVolume>();
    for (JsonNode v : array) {
      var usedBy = new ArrayList<String>();
      v.path("used_by").forEach(u -> usedBy.add(instanceName(u.asText()).orElse(u.asText())));
      list.add(new StorageVolume(pool, v.path("name").asText(), strings(v.path("config")), usedBy));
    }
    return list;
  }

  /** One frame of {@code /1.0/events?type=lifecycle}; empty for other event types. */
  public static Optional<LifecycleEvent> lifecycleEvent(String frame) {
    JsonNode e = read(frame.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    if (!"lifecycle".equals(e.path("type").asText())) {
      return Optional.empty();
    }
    JsonNode m = e.path("metadata");
    var context = new LinkedHashMap<String, String>();
    m.path("context").properties().forEach(
        c -> context.put(c.getKey(), c.getValue().isTextual() ? c.getValue().asText() : c.getValue().toString()));
    return Optional.of(new LifecycleEvent(
        instant(e.path("timestamp").asText("")), m.path("action").asText(""), m.path("source").asText(""), context));
  }

  /** {@code GET /1.0}. */
  public static LxdServerInfo serverInfo(JsonNode m) {
    JsonNode env = m.path("environment");
    return new LxdServerInfo(env.path("server").asText(""), env.path("server_version").asText(""),
        m.path("auth").asText(""), m.path("api_extensions").size());
  }

  /** The exit code and output log paths of a finished record-output exec operation. */
  public record ExecOutcome(int exitCode, String stdoutLog, String stderrLog) {}

  public static ExecOutcome execOutcome(JsonNode opMetadata) {
    JsonNode output = opMetadata.path("output");
    return new ExecOutcome(opMetadata.path("return").asInt(-1), output.path("1").asText(""),
        output.path("2").asText(""));
  }

  // ---- helpers

  public static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  public static JsonNode read(byte[] body) {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("LXD sent invalid JSON: " + e.getMessage(), e);
    }
  }

  private static Optional<String> instanceName(String path) {
    String prefix = "/1.0/instances/";
    if (!path.startsWith(prefix)) {
      return Optional.empty();
    }
    return Optional.of(path.substring(prefix.length()).split("[/?]", 2)[0]);
  }

  private static Map<String, String> strings(JsonNode object) {
    var map = new LinkedHashMap<String, String>();
    object.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }

  private static Instant instant(String text) {
    try {
      return text.isEmpty() ? Instant.EPOCH : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }
}
