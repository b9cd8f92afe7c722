package io.sensorfleet.it.console;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sensorfleet.http.Main;
import io.sensorfleet.it.support.ApiClient;
import io.sensorfleet.it.support.Stages;
import io.sensorfleet.it.support.TestSensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web console in a real browser: a real sensor (Main's, in this JVM) with real Instruments in LXD — the sample
 * Instrument ({@code s}), a bus intruder that sends to it without a grant and publishes alerts it was granted
 * ({@code x}, the sample jar's Chatter), and a hostile UI ({@code h}, the sample jar's HostileUi) — and one
 * Playwright script per behaviour (it/browser, playwright-core driving Debian's /usr/bin/chromium headless with a
 * fresh profile). Each script logs in through the console's form, fails loudly with what it saw, and saves
 * screenshots to it/target/screenshots/ — or, with {@code SENSORFLEET_SCREENSHOTS=docs/screenshots}, to the
 * README's (a test run leaves the tracked files alone unless asked).
 */
class ConsoleBrowserIT {

  static final String RUN = "ui" + Stages.randomId();
  static final String ADMIN_PASSWORD = "it-admin-password-1";
  static final Path ROOT = Path.of(System.getProperty("sensorfleet.root", "..")).toAbsolutePath().normalize();
  static final Path BROWSER = ROOT.resolve("it/browser");
  static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);
  static TestSensor.Run run;
  static Main.Sensor sensor;
  static String sample;
  static String intruder;
  static String hostile;

  @BeforeAll
  static void start() throws Exception {
    if (!Files.isExecutable(Path.of("/usr/bin/chromium"))) {
      fail("Debian's chromium is not installed (/usr/bin/chromium): run ./sensorfleet setup");
    }
    if (!Files.isDirectory(BROWSER.resolve("node_modules/playwright-core"))) {
      fail("it/browser has no node_modules: the it module's build runs npm ci there (mvn verify -pl it)");
    }
    run = TestSensor.Run.create(RUN, List.of("s", "x", "h"));
    sample = run.instrument("s").value();
    intruder = run.instrument("x").value();
    hostile = run.instrument("h").value();
    Config config = ConfigFactory.load(ConfigFactory.parseMap(Map.of(
        "sensor.data-dir", run.data().resolve("journal").toString(),
        "sensor.http.port", "0",
        "sensor.http.auth.admin-password", ADMIN_PASSWORD,
        "sensor.instruments.programs-root", run.programs().toString(),
        "sensor.instruments.hello-timeout", "60s",
        "sensor.channel.runtime-root", run.runtimeRoot().toString())));
    sensor = Main.Sensor.start(config, Clock.systemUTC()).toCompletableFuture().get(120, SECONDS);

    var admin = ApiClient.login(sensor.url(), "admin", ADMIN_PASSWORD);
    // The operator may open the hostile UI (a grant), which then tries to act with her session.
    assertEquals(201, admin.post("api/v1/users", "{\"username\":\"olive\",\"password\":\"olive-password-1\","
        + "\"role\":\"operator\",\"uiGrants\":[\"" + hostile + "\"]}").status());
    assertEquals(201, admin.post("api/v1/users",
        "{\"username\":\"vera\",\"password\":\"vera-password-1\",\"role\":\"viewer\"}").status());
    // The intruder may publish alerts for people (the Events page shows them) but may not send to the sample.
    var granted = admin.put("api/v1/permissions", "{\"grants\": [{\"subject\": \"" + intruder
        + "\", \"action\": \"publish\", \"object\": \"alerts.console\"}]}");
    assertEquals(200, granted.status(), granted.body());
    install(admin, """
        id: %s
        image: sensorfleet/jvm
        command: [java, -XX:TieredStopAtLevel=1, -XX:+UseSerialGC, -jar, /opt/instrument/sample-instrument.jar]
        limits: {cpus: 1, memory: 256MiB, processes: 128}
        health: {interval: 3s, timeout: 2s, failures-before-restart: 3}
        storage: {persistent: 32MiB, transient: 16MiB}
        config: {heartbeat_seconds: 30}
        """.formatted(sample));
    install(admin, """
        id: %s
        image: sensorfleet/jvm
        command: [java, -XX:TieredStopAtLevel=1, -XX:+UseSerialGC, -cp, /opt/instrument/sample-instrument.jar,
                  io.sensorfleet.instruments.sample.Chatter, send=%s, alert=alerts.console, every=1000]
        limits: {cpus: 1, memory: 192MiB, processes: 64}
        health: {interval: 3s, timeout: 2s, failures-before-restart: 3}
        """.formatted(intruder, sample));
    install(admin, """
        id: %s
        image: sensorfleet/jvm
        command: [java, -XX:TieredStopAtLevel=1, -XX:+UseSerialGC, -cp, /opt/instrument/sample-instrument.jar,
                  io.sensorfleet.instruments.sample.HostileUi, port=8080, target=%s]
        limits: {cpus: 1, memory: 192MiB, processes: 64}
        health: {interval: 3s, timeout: 2s, failures-before-restart: 3}
        ui: {port: 8080}
        """.formatted(hostile, sample));
    for (String id : List.of(sample, intruder, hostile)) {
      var started = admin.post("api/v1/instruments/" + id + "/start");
      assertEquals(200, started.status(), started.body());
    }
    Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
        .until(() -> admin.get("api/v1/instruments").json().findValuesAsText("health"),
            health -> health.size() == 3 && health.stream().allMatch("healthy"::equals));
  }

  private static void install(ApiClient admin, String manifest) {
    var installed = admin.send("POST", "api/v1/instruments", manifest, "application/yaml");
    assertEquals(201, installed.status(), installed.body());
  }

  @AfterAll
  static void stop() throws Exception {
    if (sensor != null) {
      Stages.terminate(sensor.system());
    }
    if (run != null) {
      run.close();
    }
  }

  @Test
  void an_admin_logs_in_and_sees_every_instrument_healthy() throws Exception {
    browser("login-overview.mjs", "admin", ADMIN_PASSWORD, Map.of("SF_INSTRUMENTS",
        String.join(",", sample, intruder, hostile), "SF_STORAGE_INSTRUMENT", sample));
  }

  @Test
  void an_operator_stops_an_instrument_and_the_overview_follows_live() throws Exception {
    browser("stop-live.mjs", "olive", "olive-password-1", Map.of("SF_INSTRUMENT", intruder));
  }

  @Test
  void an_operator_edits_the_configuration_sees_errors_in_place_and_rolls_back() throws Exception {
    browser("config-rollback.mjs", "olive", "olive-password-1", Map.of("SF_INSTRUMENT", sample));
  }

  @Test
  void a_message_the_policy_denies_appears_in_the_audit() throws Exception {
    browser("audit-denied.mjs", "vera", "vera-password-1", Map.of("SF_INTRUDER", intruder));
  }

  @Test
  void a_viewer_sees_no_button_that_changes_anything() throws Exception {
    browser("viewer.mjs", "vera", "vera-password-1", Map.of("SF_INSTRUMENT", sample));
  }

  @Test
  void an_admin_edits_the_permission_matrix_follows_live_alerts_with_a_filter_and_sees_capture() throws Exception {
    browser("pages.mjs", "admin", ADMIN_PASSWORD, Map.of("SF_INSTRUMENT", sample, "SF_INTRUDER", intruder));
  }

  @Test
  void a_hostile_instrument_ui_cannot_call_the_api_with_the_operators_session() throws Exception {
    String output = browser("hostile-ui.mjs", "olive", "olive-password-1", Map.of("SF_HOSTILE", hostile));
    String result = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow();
    assertFalse(result.contains("status 200"), result);
    // The server's side: the sample was never stopped, and no stop was asked for in anyone's name.
    var admin = ApiClient.login(sensor.url(), "admin", ADMIN_PASSWORD);
    assertEquals("running", admin.get("api/v1/instruments/" + sample).json().get("actual").asText());
    JsonNode entries = admin.get("api/v1/audit?instrument=" + sample + "&action=instrument+stop+requested")
        .json().get("entries");
    assertEquals(0, entries.size(), entries.toString());
  }

  /** Runs one browser script as {@code user}; fails with its output unless it exits 0. Answers the output. */
  private static String browser(String script, String user, String password, Map<String, String> extra)
      throws IOException, InterruptedException {
    var builder = new ProcessBuilder("node", script).directory(BROWSER.toFile()).redirectErrorStream(true);
    Map<String, String> env = new HashMap<>(extra);
    env.put("SF_URL", sensor.url());
    env.put("SF_USER", user);
    env.put("SF_PASSWORD", password);
    env.put("SF_SCREENSHOTS", ROOT.resolve(Optional.ofNullable(System.getenv("SENSORFLEET_SCREENSHOTS"))
        .filter(dir -> !dir.isBlank()).orElse("it/target/screenshots")).toString());
    env.put("SF_FAILURES", ROOT.resolve("it/target/browser-failures").toString());
    builder.environment().putAll(env);
    Path log = Files.createTempFile("sf-browser-", ".log");
    builder.redirectOutput(log.toFile());
    Process process = builder.start();
    try {
      boolean done = process.waitFor(SCRIPT_TIMEOUT.toSeconds(), SECONDS);
      if (!done) {
        process.destroyForcibly();
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      System.out.println("--- " + script + " as " + user + ":\n" + output);
      assertTrue(done, script + " did not finish within " + SCRIPT_TIMEOUT + ":\n" + output);
      assertEquals(0, process.exitValue(), script + " failed:\n" + output);
      assertTrue(output.contains("OK "), output);
      return output;
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
