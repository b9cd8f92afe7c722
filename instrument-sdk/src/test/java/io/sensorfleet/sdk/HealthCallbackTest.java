package io.sensorfleet.sdk;

import static io.sensorfleet.sdk.testing.FakePlatform.Link.assertAnswers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.HealthStatus;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.sdk.testing.FakePlatform;
import io.sensorfleet.sdk.testing.Inbox;
import io.sensorfleet.sdk.testing.TestClients;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthCallbackTest {

  final FakePlatform platform = FakePlatform.start();

  @AfterEach
  void stop() {
    platform.close();
  }

  @Test
  void answers_a_health_query_with_the_callbacks_verdict_and_the_querys_id() {
    RawJson metrics = RawJson.of("{\"dropped\":3}");
    try (var client = TestClients.on(platform)
        .onHealthQuery(() -> Health.degraded("upstream unreachable").withMetrics(metrics)).build()) {
      var link = platform.acceptAndWelcome();
      link.send(new Frame.HealthQuery("q12"));

      assertEquals(new Frame.HealthReport(Optional.of("q12"), HealthStatus.DEGRADED, "upstream unreachable",
          Optional.of(metrics)), link.expect(Frame.HealthReport.class));
    }
  }

  @Test
  void answers_healthy_when_the_instrument_has_no_onHealthQuery() {
    try (var client = TestClients.on(platform).build()) {
      var link = platform.acceptAndWelcome();
      link.send(new Frame.HealthQuery("q1"));

      Frame.HealthReport report = link.expect(Frame.HealthReport.class);
      assertAnswers("q1", report);
      assertEquals(HealthStatus.HEALTHY, report.status());
    }
  }

  @Test
  void answers_failed_naming_the_exception_when_onHealthQuery_throws() {
    try (var client = TestClients.on(platform).onHealthQuery(() -> {
      throw new IllegalStateException("capture thread died");
    }).build()) {
      var link = platform.acceptAndWelcome();
      link.send(new Frame.HealthQuery("q2"));

      Frame.HealthReport report = link.expect(Frame.HealthReport.class);
      assertEquals(HealthStatus.FAILED, report.status());
      assertTrue(report.detail().contains("capture thread died"), report.detail());
    }
  }

  @Test
  void reports_health_unasked_without_re() {
    Inbox<ClientState> states = new Inbox<>();
    try (var client = TestClients.on(platform).onStateChange(states::add).build()) {
      var link = platform.acceptAndWelcome();
      states.takeUntil(s -> s == ClientState.READY);

      assertTrue(client.reportHealth(Health.failed("capture stopped")));
      assertEquals(new Frame.HealthReport(Optional.empty(), HealthStatus.FAILED, "capture stopped", Optional.empty()),
          link.expect(Frame.HealthReport.class));
    }
  }
}
