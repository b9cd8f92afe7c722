package io.sensorfleet.it.api;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.runtime.ContainerSelector;
import io.sensorfleet.http.Main;
import io.sensorfleet.it.support.ApiClient;
import io.sensorfleet.lxd.LxdRuntime;
import io.sensorfleet.storage.GocryptfsStorage;
import io.sensorfleet.storage.StorageSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet Management end to end: a real sensor (Main's, in this JVM) on an H2 file, real LXD, the sample Instrument
 * in its container, and every call over real HTTP with logins as curl would make them. A viewer cannot start or
 * stop; an operator can; the audit shows who did what, the viewer's refusals included.
 */
class FleetApiIT {

  static final String RUN = "api" + UUID.randomUUID().toString().substring(0, 6);
  static final String ID = RUN + "-s";
  static final String ALERTER = RUN + "-p";
  static final String UI = RUN + "-ui";
  static final String ADMIN_PASSWORD = "it-admin-password-1";

  @TempDir static Path data;
  static Path runtimeRoot;
  static Config config;
  static Main.Sensor sensor;

  @BeforeAll
  static void start() throws Exception {
    Path root = Path.of(System.getProperty("sensorfleet.root", "..")).toAbsolutePath().normalize();
    Path jar = root.resolve("instruments/sample/target/sample-instrument.jar");
    if (!Files.isRegularFile(jar)) {
      fail("the sample Instrument is not built: " + jar + " (run ./sensorfleet test, which builds it first)");
    }
    Path programs = Files.createDirectories(data.resolve("programs").resolve(ID));
    Files.copy(jar, programs.resolve("sample-instrument.jar"));
    Path alerter = Files.createDirectories(data.resolve("programs").resolve(ALERTER));
    Files.copy(jar, alerter.resolve("sample-instrument.jar"));
    Path pdnsJar = root.resolve("instruments/passive-dns/target/passive-dns.jar");
    if (!Files.isRegularFile(pdnsJar)) {
      fail("passive-dns is not built: " + pdnsJar + " (run ./sensorfleet test, which builds it first)");
    }
    Files.copy(pdnsJar, Files.createDirectories(data.resolve("programs").resolve(UI)).resolve("passive-dns.jar"));
    // Socket paths must stay under 108 bytes: a short root of our own under /tmp.
    runtimeRoot = Files.createDirectories(Path.of("/tmp", "sfr-" + RUN));
    config = ConfigFactory.load(ConfigFactory.parseMap(Map.of(
            "sensor.data-dir", data.toString(),
            "sensor.http.port", "0",
            "sensor.http.auth.admin-password", ADMIN_PASSWORD,
            "sensor.instruments.programs-root", data.resolve("programs").toString(),
            "sensor.instruments.hello-timeout", "60s",
            "sensor.channel.runtime-root", runtimeRoot.toString())));
    sensor = Main.Sensor.start(config, Clock.systemUTC()).toCompletableFuture().get(120, SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    ActorTestKit kit = ActorTestKit.create("cleanup");
    try {
      if (sensor != null) {
        sensor.system().terminate();
        sensor.system().getWhenTerminated().toCompletableFuture().get(60, SECONDS);
      }
      LxdRuntime lxd = LxdRuntime.create(kit.system());
      for (var info : lxd.list(ContainerSelector.prefix("sf-" + RUN)).toCompletableFuture().get(60, SECONDS)) {
        lxd.stop(info.name(), Duration.ZERO).exceptionally(e -> null)
            .thenCompose(v -> lxd.delete(info.name())).toCompletableFuture().get(60, SECONDS);
      }
      var storage = GocryptfsStorage.create(lxd, StorageSettings.fromRootConfig(config));
      for (var leftover : storage.list().toCompletableFuture().get(60, SECONDS)) {
        if (leftover.plan().id().value().startsWith(RUN)) {
          storage.purge(leftover.plan().id()).exceptionally(e -> null).toCompletableFuture().get(60, SECONDS);
        }
      }
      // A close that found the transient tmpfs still busy in the container's namespace leaves it mounted.
      Path transientDir = Path.of("/run/sensorfleet-storage", ID, "transient");
      if (Files.isDirectory(transientDir)) {
        new ProcessBuilder("umount", "-l", transientDir.toString()).inheritIO().start().waitFor(60, SECONDS);
      }
      Http.get(kit.system()).shutdownAllConnectionPools().toCompletableFuture().get(10, SECONDS);
    } finally {
      kit.shutdownTestKit();
      try (var paths = Files.walk(runtimeRoot)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String manifest() {
    return """
        id: %s
        image: sensorfleet/jvm
        command: [java, -XX:TieredStopAtLevel=1, -XX:+UseSerialGC, -jar, /opt/instrument/sample-instrument.jar]
        limits: {cpus: 1, memory: 256MiB, processes: 128}
        config: {heartbeat_seconds: 30}
        """.formatted(ID);
  }

  @Test
  void a_viewer_cannot_start_or_stop_an_operator_can_and_the_audit_shows_who() {
    String url = sensor.url();
    var admin = ApiClient.login(url, "admin", ADMIN_PASSWORD);
    assertEquals(201, admin.post("api/v1/users",
        "{\"username\":\"vic\",\"password\":\"vic-password-1\",\"role\":\"viewer\"}").status());
    assertEquals(201, admin.post("api/v1/users",
        "{\"username\":\"ola\",\"password\":\"ola-password-1\",\"role\":\"operator\"}").status());
    var viewer = ApiClient.login(url, "vic", "vic-password-1");
    var operator = ApiClient.login(url, "ola", "ola-password-1");

    var installed = operator.send("POST", "api/v1/instruments", manifest(), "application/yaml");
    assertEquals(201, installed.status(), installed.body());
    assertEquals(403, viewer.post("api/v1/instruments/" + ID + "/start").status());

    var started = operator.post("api/v1/instruments/" + ID + "/start");
    assertEquals(200, started.status(), started.body());
    assertEquals("running", started.json().get("actual").asText());
    assertTrue(started.json().get("connected").asBoolean());
    assertEquals(200, viewer.get("api/v1/instruments/" + ID + "/health").status());
    var network = viewer.get("api/v1/network");
    assertEquals(200, network.status(), network.body());
    assertTrue(network.json().get("hostInterfaces").size() > 0, network.body());

    assertEquals(403, viewer.post("api/v1/instruments/" + ID + "/stop").status());
    assertEquals(403, viewer.put("api/v1/instruments/" + ID + "/config", "{\"heartbeat_seconds\": 5}").status());
    var config = operator.put("api/v1/instruments/" + ID + "/config", "{\"heartbeat_seconds\": 5}");
    assertEquals(200, config.status(), config.body());

    var stopped = operator.post("api/v1/instruments/" + ID + "/stop");
    assertEquals(200, stopped.status(), stopped.body());
    assertEquals("stopped", stopped.json().get("actual").asText());

    // The read side follows the journal within about half a second.
    List<String> seen = Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> audit(viewer), lines -> lines.containsAll(List.of(
            "user:ola instrument install requested ok", "user:ola instrument installed ok",
            "user:ola instrument start requested ok", "user:ola instrument started ok", "user:ola config set ok",
            "user:ola instrument stopped ok", "user:vic access denied denied")));
    assertEquals(3, seen.stream().filter(l -> l.equals("user:vic access denied denied")).count(), seen.toString());
    // Removal is left to stop(): right after a stop, remove can still find the transient mount busy in the
    // container's namespace (StorageException.InUse, a 409 here), which is the storage module's to fix.
  }

  @Test
  void an_alert_published_by_an_instrument_reaches_the_event_stream_once_an_admin_grants_it() {
    var admin = ApiClient.login(sensor.url(), "admin", ADMIN_PASSWORD);
    var granted = admin.put("api/v1/permissions", "{\"grants\": [{\"subject\": \"" + ALERTER
        + "\", \"action\": \"publish\", \"object\": \"alerts.it\"}]}");
    assertEquals(200, granted.status(), granted.body());
    var check = admin.get("api/v1/permissions/check?from=" + ALERTER + "&action=publish&object=alerts.it");
    assertTrue(check.json().get("allowed").asBoolean(), check.body());

    var installed = admin.send("POST", "api/v1/instruments", """
        id: %s
        image: sensorfleet/jvm
        command: [java, -XX:TieredStopAtLevel=1, -XX:+UseSerialGC, -cp, /opt/instrument/sample-instrument.jar,
                  io.sensorfleet.instruments.sample.Chatter, alert=alerts.it, every=500]
        limits: {cpus: 1, memory: 192MiB, processes: 64}
        """.formatted(ALERTER), "application/yaml");
    assertEquals(201, installed.status(), installed.body());
    var started = admin.post("api/v1/instruments/" + ALERTER + "/start");
    assertEquals(200, started.status(), started.body());

    String data = admin.firstStreamed("api/v1/events/stream?topic=alerts.it",
        line -> line.startsWith("data:") && line.contains("\"from\":\"" + ALERTER + "\""), Duration.ofSeconds(60));
    assertTrue(data.contains("\"payload\":{\"n\":"), data);
    var stored = admin.get("api/v1/events?topic=alerts.it&instrument=" + ALERTER);
    assertTrue(stored.json().get("events").size() > 0, stored.body());
    assertEquals(200, admin.post("api/v1/instruments/" + ALERTER + "/stop").status());
  }

  @Test
  void an_instruments_ui_is_reached_only_through_fleet_management_sandboxed_and_with_the_grant() throws Exception {
    Path root = Path.of(System.getProperty("sensorfleet.root", "..")).toAbsolutePath().normalize();
    String manifest = Files.readString(root.resolve("conf/instruments/passive-dns.yaml"))
        .replaceFirst("(?m)^id: passive-dns$", "id: " + UI).replace("persistent: 1GiB", "persistent: 64MiB");
    var admin = ApiClient.login(sensor.url(), "admin", ADMIN_PASSWORD);
    assertEquals(201, admin.post("api/v1/users",
        "{\"username\":\"ulla\",\"password\":\"ulla-password-1\",\"role\":\"operator\"}").status());
    assertEquals(201, admin.send("POST", "api/v1/instruments", manifest, "application/yaml").status());
    var started = admin.post("api/v1/instruments/" + UI + "/start");
    assertEquals(200, started.status(), started.body());

    // The UI server starts with the Instrument's configuration: wait for the page.
    var page = Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> admin.getFull("instruments/" + UI + "/ui/"), r -> r.statusCode() == 200);
    assertTrue(page.body().toLowerCase(java.util.Locale.ROOT).contains("passive"), page.body());
    String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
    assertTrue(csp.startsWith("sandbox") && !csp.contains("allow-same-origin"), csp);
    assertTrue(page.headers().firstValue("Set-Cookie").isEmpty());

    // An operator without the UI grant is refused; the socket is root's alone, in a root-only directory.
    var operator = ApiClient.login(sensor.url(), "ulla", "ulla-password-1");
    assertEquals(403, operator.getFull("instruments/" + UI + "/ui/").statusCode());
    Path socket = io.sensorfleet.actors.instrument.Instrument.uiSocket(runtimeRoot, InstrumentId.of(UI));
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(socket)));
    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(socket.getParent())));
    assertEquals(200, admin.post("api/v1/instruments/" + UI + "/stop").status());
  }

  /** The Instrument's audit entries as "principal action outcome". */
  private static List<String> audit(ApiClient client) {
    List<String> lines = new ArrayList<>();
    for (JsonNode e : client.get("api/v1/audit?instrument=" + ID + "&limit=100").json().get("entries")) {
      lines.add(e.get("principal").asText() + " " + e.get("action").asText() + " " + e.get("outcome").asText());
    }
    return lines;
  }
}
