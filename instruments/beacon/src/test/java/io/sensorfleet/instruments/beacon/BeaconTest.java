package io.sensorfleet.instruments.beacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.HealthStatus;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.instruments.support.Json;
import io.sensorfleet.sdk.testing.FakePlatform;
import io.sensorfleet.sdk.testing.TestClients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Beacon against the SDK's fake platform, with a host shell standing in for the container's busybox. */
class BeaconTest {

  static final String CONFIG = "{\"interface\":\"%s\",\"targets\":[\"127.0.0.1:9\"],\"interval_seconds\":1,"
      + "\"heartbeat_seconds\":30}";
  static final String V2 = "#!/bin/sh\nwhile :; do echo \"beacon v2 attempt $2 blocked\"; sleep \"$1\"; done\n";

  @TempDir Path data;
  @TempDir Path net;
  final FakePlatform platform = FakePlatform.start();
  Beacon beacon;

  @AfterEach
  void stop() {
    if (beacon != null) {
      beacon.close();
    }
    platform.close();
  }

  FakePlatform.Link configured(String iface) {
    beacon = Beacon.start(TestClients.on(platform), data, net, Clock.systemUTC());
    FakePlatform.Link link = platform.acceptAndWelcome();
    link.send(new Frame.Config("c1", 1, RawJson.of(CONFIG.formatted(iface))));
    link.expect(Frame.ConfigAck.class);
    return link;
  }

  static Frame.HealthReport health(FakePlatform.Link link) {
    link.send(new Frame.HealthQuery("q"));
    while (true) {
      if (link.next() instanceof FakePlatform.Link.Got(Frame.HealthReport report)) {
        return report;
      }
    }
  }

  /** Asks until the report's detail contains {@code text} (the program prints once a second). */
  static Frame.HealthReport healthWith(FakePlatform.Link link, String text) {
    return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> health(link), r -> r.detail().contains(text));
  }

  @Test
  void a_missing_interface_is_failed_health_with_the_reason() {
    FakePlatform.Link link = configured("eth7");
    Frame.HealthReport report = health(link);
    assertEquals(HealthStatus.FAILED, report.status());
    assertTrue(report.detail().startsWith("interface eth7 does not exist in this container"), report.detail());
  }

  @Test
  void it_is_healthy_while_the_beacon_prints_its_attempts() throws Exception {
    Files.createDirectories(net.resolve("eth0"));
    FakePlatform.Link link = configured("eth0");
    Frame.HealthReport report = healthWith(link, "beacon v1 attempt 127.0.0.1:9 blocked");
    assertEquals(HealthStatus.HEALTHY, report.status());
  }

  @Test
  void a_delivered_binary_is_swapped_in_restarted_and_reported_with_both_hashes() throws Exception {
    Files.createDirectories(net.resolve("eth0"));
    FakePlatform.Link link = configured("eth0");
    String before = Beacon.sha256(data.resolve("beacon/current"));
    byte[] v2 = V2.getBytes(StandardCharsets.UTF_8);
    Path inbox = Files.createDirectories(data.resolve("inbox"));
    Files.write(inbox.resolve("beacon-bin-2"), v2);
    String after = Beacon.hex(v2);
    link.send(new Frame.ResourceAvailable(Optional.empty(), "beacon-bin", "2", after, v2.length,
        inbox.resolve("beacon-bin-2").toString()));
    Frame.Send applied;
    while (true) {
      if (link.next() instanceof FakePlatform.Link.Got(Frame.Send send)) {
        applied = send;
        break;
      }
    }
    assertEquals("platform", applied.to().value());
    var body = Json.read(applied.payload());
    assertEquals("resource-applied", body.path("type").asText());
    assertEquals(after, body.path("sha256").asText());
    assertEquals(before, body.path("previous_sha256").asText());
    healthWith(link, "beacon v2 attempt 127.0.0.1:9");
    assertEquals(after, Beacon.sha256(data.resolve("beacon/current")));
  }

  @Test
  void a_delivered_file_whose_hash_differs_from_the_announcement_is_not_run() throws Exception {
    Files.createDirectories(net.resolve("eth0"));
    FakePlatform.Link link = configured("eth0");
    String before = Beacon.sha256(data.resolve("beacon/current"));
    Path inbox = Files.createDirectories(data.resolve("inbox"));
    byte[] v2 = V2.getBytes(StandardCharsets.UTF_8);
    Files.write(inbox.resolve("tampered"), "#!/bin/sh\necho evil\n".getBytes(StandardCharsets.UTF_8));
    link.send(new Frame.ResourceAvailable(Optional.empty(), "beacon-bin", "2", Beacon.hex(v2), v2.length,
        inbox.resolve("tampered").toString()));
    // Then the genuine one: it replaces what ran before the tampered announcement, so that one changed nothing.
    Files.write(inbox.resolve("genuine"), v2);
    link.send(new Frame.ResourceAvailable(Optional.empty(), "beacon-bin", "2", Beacon.hex(v2), v2.length,
        inbox.resolve("genuine").toString()));
    Frame.Send applied;
    while (true) {
      if (link.next() instanceof FakePlatform.Link.Got(Frame.Send send)) {
        applied = send;
        break;
      }
    }
    assertEquals(before, Json.read(applied.payload()).path("previous_sha256").asText());
    assertTrue(Files.exists(inbox.resolve("tampered")), "the tampered file was left alone");
  }
}
