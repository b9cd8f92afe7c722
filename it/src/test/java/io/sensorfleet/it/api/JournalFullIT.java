package io.sensorfleet.it.api;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sensorfleet.http.Main;
import io.sensorfleet.it.support.ApiClient;
import io.sensorfleet.it.support.Stages;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fail closed: the sensor's journal (H2 file) on a 4 MiB tmpfs that the test fills up (root ignores file modes, so a
 * full file system is the honest way to refuse writes). While it is full, state-changing calls answer 503 and change
 * nothing; reads still answer; once space is freed, writes work again without a restart.
 */
class JournalFullIT {

  static final String ADMIN_PASSWORD = "it-admin-password-1";
  static Path root;
  static Path mount;
  static Main.Sensor sensor;

  @BeforeAll
  static void start() throws Exception {
    root = Files.createTempDirectory("sf-full-" + Stages.randomId());
    mount = Files.createDirectory(root.resolve("data"));
    run("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", mount.toString());
    var config = ConfigFactory.load(ConfigFactory.parseMap(Map.of(
        "sensor.data-dir", mount.toString(),
        "sensor.http.port", "0",
        "sensor.http.auth.admin-password", ADMIN_PASSWORD,
        "sensor.instruments.programs-root", Files.createDirectory(root.resolve("programs")).toString(),
        "sensor.channel.runtime-root", Files.createDirectory(root.resolve("run")).toString())));
    sensor = Main.Sensor.start(config, Clock.systemUTC()).toCompletableFuture().get(120, SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (sensor != null) {
        Stages.terminate(sensor.system());
      }
    } finally {
      run("umount", mount.toString());
      try (var paths = Files.walk(root)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  @Test
  void a_full_journal_refuses_changes_with_503_keeps_reads_and_recovers_once_space_is_freed() throws Exception {
    var admin = ApiClient.login(sensor.url(), "admin", ADMIN_PASSWORD);
    assertEquals(201, admin.post("api/v1/users", user("before")).status());
    long policyVersion = admin.get("api/v1/permissions").json().get("version").asLong();

    Path filler = mount.resolve("filler");
    fill(filler);

    // Changes: refused, whole. A new user (the user directory's own event) and a new bus policy (audited first).
    var created = admin.post("api/v1/users", user("during"));
    assertEquals(503, created.status(), created.body());
    var policy = admin.put("api/v1/permissions", "{\"grants\": [{\"subject\": \"a-x\", \"action\": \"publish\","
        + " \"object\": \"alerts.x\"}]}");
    assertEquals(503, policy.status(), policy.body());

    // Reads still answer (each change was recorded first, so the failed write was the audit log's alone and the
    // stores keep answering from memory), and nothing changed.
    assertEquals(200, admin.get("api/v1/health").status());
    var users = admin.get("api/v1/users");
    assertEquals(200, users.status(), users.body());
    assertFalse(users.body().contains("\"during\""), users.body());
    assertEquals(policyVersion, admin.get("api/v1/permissions").json().get("version").asLong());
    assertEquals(200, admin.get("api/v1/instruments").status());

    // Space again: writes work without a restart (the stores restart themselves after their backoff).
    Files.delete(filler);
    var after = Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2))
        .until(() -> admin.post("api/v1/users", user("after")), a -> a.status() == 201 || a.status() == 409);
    assertTrue(after.status() == 201 || after.status() == 409, after.body());
    var now = admin.get("api/v1/users").body();
    assertTrue(now.contains("\"after\""), now);
    assertFalse(now.contains("\"during\""), now);
    assertEquals(policyVersion, admin.get("api/v1/permissions").json().get("version").asLong());
  }

  private static String user(String name) {
    return "{\"username\":\"" + name + "\",\"password\":\"" + name + "-password-1\",\"role\":\"viewer\"}";
  }

  /** Writes zeros until the file system says it is full. */
  private static void fill(Path file) throws IOException {
    byte[] chunk = new byte[16 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(chunk);
        out.flush();
      }
    } catch (IOException e) {
      if (!String.valueOf(e.getMessage()).contains("No space left")) {
        throw e;
      }
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
  }
}
