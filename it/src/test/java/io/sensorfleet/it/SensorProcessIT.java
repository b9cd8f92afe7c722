package io.sensorfleet.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher as a newcomer uses it: {@code ./sensorfleet run}, curl, Ctrl-C (SIGTERM), run again. */
class SensorProcessIT {

  private static final Pattern URL = Pattern.compile("listening on (http://\\S+/)");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The first start creates admin with this password (SENSORFLEET_ADMIN_PASSWORD). */
  static final String ADMIN_PASSWORD = "it-admin-password-1";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Process> started = new ArrayList<>();

  @TempDir Path data;

  @AfterEach
  void killLeftovers() {
    started.forEach(Process::destroyForcibly);
  }

  @Test
  void health_answers_once_the_launcher_prints_its_url() throws Exception {
    var sensor = launch();
    JsonNode health = getJson(sensor.url() + "api/v1/health");
    assertEquals("ok", health.get("status").asText());
    stop(sensor);
  }

  @Test
  void audit_keeps_start_and_stop_across_a_restart_on_the_same_data_dir() throws Exception {
    stop(launch());
    var second = launch();
    List<String> actions = awaitActions(second.url(), 3);
    assertEquals(List.of("platform started", "platform stopped", "platform started"), actions.subList(0, 3));
    stop(second);
  }

  @Test
  void demo_refuses_a_manifest_whose_jar_no_instrument_module_built() throws Exception {
    // Before, the launcher mounted the sample's jar instead, and the container failed on a jar that was not there.
    Path manifests = Files.createDirectories(data.resolve("manifests"));
    Files.writeString(manifests.resolve("ghost.yaml"), """
        id: ghost
        image: sensorfleet/jvm
        command: [java, -jar, /opt/instrument/ghost-instrument.jar]
        network: {mode: none}
        """);
    Path root = Path.of(System.getProperty("sensorfleet.root", "..")).toAbsolutePath().normalize();
    var builder = new ProcessBuilder(root.resolve("sensorfleet").toString(), "demo", "--port", "0", "--data",
        data.resolve("sensor").toString())
        .directory(root.toFile())
        .redirectErrorStream(true);
    builder.environment().put("SENSORFLEET_SKIP_BUILD", "1");
    builder.environment().put("SENSORFLEET_SKIP_SETUP", "1");
    builder.environment().put("SENSORFLEET_DEMO", manifests.toString());
    Process process = builder.start();
    started.add(process);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the launcher did not exit");
    assertEquals(1, process.exitValue(), output);
    assertTrue(output.contains("demo Instrument ghost runs /opt/instrument/ghost-instrument.jar, which no "
        + "instruments/*/target/ holds"), output);
  }

  private List<String> awaitActions(String url, int atLeast) {
    // The read side follows the journal within a fraction of a second.
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          List<String> actions = new ArrayList<>();
          var admin = io.sensorfleet.it.support.ApiClient.login(url, "admin", ADMIN_PASSWORD);
          for (JsonNode e : admin.get("api/v1/audit?limit=10&kind=platform").json().get("entries")) {
            actions.add(e.get("action").asText());
          }
          return actions.reversed();
        }, actions -> actions.size() >= atLeast);
  }

  private record Launched(Process process, String url) {}

  private Launched launch() throws IOException {
    Path root = Path.of(System.getProperty("sensorfleet.root", "..")).toAbsolutePath().normalize();
    var builder = new ProcessBuilder(root.resolve("sensorfleet").toString(), "run", "--port", "0", "--data",
        data.toString())
        .directory(root.toFile())
        .redirectErrorStream(true);
    builder.environment().put("SENSORFLEET_SKIP_BUILD", "1");
    builder.environment().put("SENSORFLEET_ADMIN_PASSWORD", ADMIN_PASSWORD);
    Process process = builder.start();
    started.add(process);
    var out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    var seen = new StringBuilder();
    String line;
    while ((line = out.readLine()) != null) {
      seen.append(line).append('\n');
      Matcher m = URL.matcher(line);
      if (m.find()) {
        Thread.ofVirtual().start(() -> out.lines().forEach(l -> {}));  // keep draining so the sensor never blocks
        return new Launched(process, m.group(1));
      }
    }
    throw new AssertionError("the sensor exited before printing its URL:\n" + seen);
  }

  private static void stop(Launched sensor) throws InterruptedException {
    sensor.process().destroy();  // SIGTERM, as Ctrl-C or a service manager would
    assertTrue(sensor.process().waitFor(30, TimeUnit.SECONDS), "the sensor did not stop within 30 s of SIGTERM");
    int rc = sensor.process().exitValue();
    assertTrue(rc == 0 || rc == 143, "unexpected exit code " + rc);
  }

  private JsonNode getJson(String url) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  static {
    // Fail loudly, not with a confusing NPE, when run outside `mvn verify` from the repository.
    Path launcher = Path.of(System.getProperty("sensorfleet.root", "..")).resolve("sensorfleet");
    if (!Files.isExecutable(launcher)) {
      throw new IllegalStateException("launcher not found at " + launcher.toAbsolutePath());
    }
  }
}
