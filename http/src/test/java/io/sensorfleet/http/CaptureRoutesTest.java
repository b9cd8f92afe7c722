package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.capture.CaptureSupervisor;
import io.sensorfleet.core.access.Role;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CaptureRoutesTest extends ApiRouteTest {

  static final CaptureSupervisor.Stats STATS = new CaptureSupervisor.Stats(
      List.of(new CaptureSupervisor.InterfaceStats("eth1", 1000, 3)),
      List.of(new CaptureSupervisor.BranchStats("ids-1", "sfp0a1b2c3d", "udp port 53", 40, 957, 0, 4000, 12)));

  @AfterEach
  void notRunning() {
    capture = () -> CompletableFuture.failedFuture(new ApiException.Unavailable("capture-unavailable",
        "the capture engine is not running"));
  }

  @Test
  void a_viewer_reads_the_counters_per_interface_and_per_branch() {
    capture = () -> CompletableFuture.completedFuture(STATS);
    user("cara", Role.VIEWER);
    String body = app().run(as(login("cara"), HttpRequest.GET("/api/v1/capture/stats"))).assertStatusCode(200)
        .entityString();
    assertEquals("""
        {"interfaces":[{"name":"eth1","received":1000,"dropped":3}],"branches":[{"instrument":"ids-1",\
        "port":"sfp0a1b2c3d","filter":"udp port 53","delivered":40,"filtered":957,"dropped":0,"bytes":4000,\
        "blocked":12}]}""", body);
  }

  @Test
  void the_counters_are_503_while_the_engine_is_not_running() {
    user("cato", Role.VIEWER);
    var error = json(app().run(as(login("cato"), HttpRequest.GET("/api/v1/capture/stats"))).assertStatusCode(503)
        .entityString());
    assertEquals("capture-unavailable", error.get("code").asText());
    assertTrue(error.get("message").asText().contains("not running"));
  }

  @Test
  void the_counters_need_a_login() {
    app().run(HttpRequest.GET("/api/v1/capture/stats")).assertStatusCode(401);
  }

  @Test
  void metrics_carry_each_branchs_counters() {
    capture = () -> CompletableFuture.completedFuture(STATS);
    user("cleo", Role.VIEWER);
    String metrics = app().run(as(login("cleo"), HttpRequest.GET("/metrics"))).assertStatusCode(200).entityString();
    assertTrue(metrics.contains("sensorfleet_capture_up 1.0"), metrics);
    assertTrue(metrics.contains(
        "sensorfleet_capture_branch_blocked_frames{instrument=\"ids-1\",port=\"sfp0a1b2c3d\"} 12.0"), metrics);
    assertTrue(metrics.contains("sensorfleet_capture_interface_received_frames{interface=\"eth1\"} 1000.0"),
        metrics);
  }
}
