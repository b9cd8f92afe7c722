package io.sensorfleet.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery as it happens in the field: {@code ./sensorfleet demo} starts two Instruments, the sensor is killed
 * with SIGKILL (no shutdown hook runs), a new sensor starts on the same data directory, rebuilds the registry
 * from the journal, finds the containers still running, re-opens their sockets, and the Instruments reconnect.
 */
class SensorRecoveryIT {

  private static final Pattern URL = Pattern.compile("listening on (http://\\S+/)");
  // Ids of our own: a demo someone ran on this machine (sf-sample-a, ...) is none of this test's business.
  private static final String RUN = "rc" + io.sensorfleet.it.support.Stages.randomId();
  private static final List<String> DEMO = List.of(RUN + "-a", RUN + "-b");
  private final List<Process> started = new ArrayList<>();

  @TempDir Path data;
  @TempDir Path manifests;

  /** The demo's two sample Instruments (conf/demo/sample-*.yaml) under this run's ids. */
  @BeforeEach
  void demoManifests() throws IOException {
    Path root = Path.of(System.getProperty("sensorfleet.root", "..")).toAbsolutePath().normalize();
    for (String suffix : List.of("a", "b")) {
      String yaml = Files.readString(root.resolve("conf/demo/sample-" + suffix + ".yaml"))
          .replaceFirst("(?m)^id: .*$", "id: " + RUN + "-" + suffix);
      Files.writeString(manifests.resolve("sample-" + suffix + ".yaml"), yaml);
    }
  }

  @AfterEach
  void cleanUp() throws Exception {
    started.forEach(Process::destroyForcibly);
    for (String id : DEMO) {
      run("lxc", "delete", "--force", "sf-" + id);
      // The killed sensors never closed the demo Instruments' transient storage (default mount dir).
      run("umount", "-l", "/run/sensorfleet-storage/" + id + "/transient");
      run("umount", "-l", "/run/sensorfleet-storage/" + id + "/persistent");
      run("lxc", "storage", "volume", "delete", "sensorfleet", "sf-" + id + "--persistent");
      // And their empty mount points (rmdir, never a recursive delete: it must not reach into a mount).
      run("rmdir", "/run/sensorfleet-storage/" + id + "/transient", "/run/sensorfleet-storage/" + id + "/persistent",
          "/run/sensorfleet-storage/" + id);
      run("rmdir", "/run/sensorfleet/" + id);  // its bus socket's directory, empty once the sensor has gone
    }
  }

  @Test
  void a_killed_sensor_adopts_its_running_instruments_on_restart() throws Exception {
    var demo = launch("demo", "demo Instruments are up");
    assertEquals(DEMO, connectedRunning(demo.url()));
    demo.process().destroyForcibly();  // SIGKILL: the containers keep running, nothing is recorded
    assertTrue(demo.process().waitFor(30, TimeUnit.SECONDS));

    var again = launch("run", "listening on");
    List<String> adopted = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
        .until(() -> connectedRunning(again.url()), ids -> ids.equals(DEMO));
    assertEquals(DEMO, adopted);
    again.process().destroy();
    assertTrue(again.process().waitFor(30, TimeUnit.SECONDS));
  }

  private static void run(String... command) throws IOException, InterruptedException {
    new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
  }

  private List<String> connectedRunning(String url) {
    var admin = io.sensorfleet.it.support.ApiClient.login(url, "admin", SensorProcessIT.ADMIN_PASSWORD);
    List<String> ids = new ArrayList<>();
    for (JsonNode i : admin.get("api/v1/instruments").json()) {
      if (i.get("connected").asBoolean() && i.get("actual").asText().equals("running")) {
        ids.add(i.get("id").asText());
      }
    }
    return ids;
  }

  private record Launched(Process process, String url) {}

  private Launched launch(String mode, String readyLine) throws IOException {
    Path root = Path.of(System.getProperty("sensorfleet.root", "..")).toAbsolutePath().normalize();
    var builder = new ProcessBuilder(root.resolve("sensorfleet").toString(), mode, "--port", "0", "--data",
        data.toString()).directory(root.toFile()).redirectErrorStream(true);
    builder.environment().put("SENSORFLEET_SKIP_BUILD", "1");
    builder.environment().put("SENSORFLEET_ADMIN_PASSWORD", SensorProcessIT.ADMIN_PASSWORD);
    builder.environment().put("SENSORFLEET_SKIP_SETUP", "1");
    builder.environment().put("SENSORFLEET_DEMO", manifests.toString());
    Process process = builder.start();
    started.add(process);
    var out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    var seen = new StringBuilder();
    String url = null;
    String line;
    while ((line = out.readLine()) != null) {
      seen.append(line).append('\n');
      Matcher m = URL.matcher(line);
      if (m.find()) {
        url = m.group(1);
      }
      if (url != null && line.contains(readyLine)) {
        Thread.ofVirtual().start(() -> out.lines().forEach(l -> { }));  // keep draining
        return new Launched(process, url);
      }
    }
    throw new AssertionError("the sensor (" + mode + ") exited before '" + readyLine + "':\n" + seen);
  }
}
