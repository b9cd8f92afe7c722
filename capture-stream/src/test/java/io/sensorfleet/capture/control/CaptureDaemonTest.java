package io.sensorfleet.capture.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sensorfleet.capture.CaptureEngine;
import io.sensorfleet.capture.CaptureSettings;
import io.sensorfleet.capture.NetLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The control socket's protocol against a real engine on a veth of its own (root; fails without it). */
class CaptureDaemonTest {
  static NetLab lab;
  static ActorSystem system;
  static CaptureEngine engine;
  static CaptureDaemon daemon;
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    lab = NetLab.create(2);
    system = ActorSystem.create("capture-daemon-test", ConfigFactory.parseMap(Map.of(
        "sensor.capture.ring.block-count", 8, "pekko.loglevel", "WARNING"))
        .withFallback(ConfigFactory.load()));
    engine = CaptureEngine.start(lab.wire(), CaptureSettings.from(system.settings().config()), system);
    dir = Files.createTempDirectory("sfc-control");
    daemon = CaptureDaemon.serve(dir.resolve("capture.sock"), List.of(engine));
  }

  @AfterAll
  static void stop() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
    if (engine != null) {
      engine.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (lab != null) {
      lab.close();
    }
    Files.deleteIfExists(dir);
  }

  @Test
  void attach_stats_and_detach_go_over_the_socket() throws Exception {
    try (CaptureClient client = CaptureClient.connect(dir.resolve("capture.sock"))) {
      assertTrue(client.call(new ControlRequest.Attach(lab.port(1), "udp port 53")).ok());
      ControlReply stats = client.call(new ControlRequest.Stats());
      assertEquals(lab.wire(), stats.interfaces().get(0).name());
      assertEquals(List.of(lab.port(1)), stats.ports().stream().map(ControlReply.Port::port).toList());
      assertEquals("udp port 53", stats.ports().get(0).filter());
      ControlReply detached = client.call(new ControlRequest.Detach(lab.port(1)));
      assertEquals(lab.port(1), detached.ports().get(0).port());
      assertTrue(client.call(new ControlRequest.Stats()).ports().isEmpty());
    }
  }

  @Test
  void an_invalid_filter_is_answered_with_libpcaps_message() throws Exception {
    try (CaptureClient client = CaptureClient.connect(dir.resolve("capture.sock"))) {
      ControlReply reply = client.call(new ControlRequest.Attach(lab.port(2), "udp dst prot 1"));
      assertFalse(reply.ok());
      assertTrue(reply.error().contains("unknown host 'prot'"), reply.error());
    }
  }

  @Test
  void a_line_that_is_no_request_is_answered_with_an_error() {
    ControlReply reply = daemon.handle("{\"op\":\"reboot\"}");
    assertFalse(reply.ok());
    assertTrue(reply.error().startsWith("not a control request"), reply.error());
  }
}
