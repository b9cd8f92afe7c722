package io.sensorfleet.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sensorfleet.core.protocol.ErrorCode;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.FrameLimits;
import io.sensorfleet.core.protocol.HealthStatus;
import io.sensorfleet.core.protocol.Topic;
import io.sensorfleet.sdk.testing.FakePlatform;
import io.sensorfleet.sdk.testing.TestClients;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MalformedFrameHandlingTest {

  final FakePlatform platform = FakePlatform.start();

  @AfterEach
  void stop() {
    platform.close();
  }

  @Test
  void answers_a_malformed_line_with_an_error_echoing_its_id() {
    try (var client = TestClients.on(platform).build()) {
      var link = platform.acceptAndWelcome();
      link.sendRaw("{\"type\":\"health-query\",\"id\":\"q1\"\n");

      Frame.Error error = link.expect(Frame.Error.class);
      assertEquals("malformed-json", error.code());
      assertEquals(Optional.of("q1"), error.re());
    }
  }

  @Test
  void keeps_working_after_a_malformed_line() {
    try (var client = TestClients.on(platform).build()) {
      var link = platform.acceptAndWelcome();
      link.sendRaw("\u0000\u00ff garbage\n");
      link.expect(Frame.Error.class);
      link.send(new Frame.HealthQuery("q2"));

      assertEquals(HealthStatus.HEALTHY, link.expect(Frame.HealthReport.class).status());
    }
  }

  @Test
  void does_not_answer_a_malformed_error_frame() {
    try (var client = TestClients.on(platform).build()) {
      var link = platform.acceptAndWelcome();
      link.sendRaw("{\"type\":\"error\",\"code\":\"NOT A CODE\"}\n");
      link.send(new Frame.HealthQuery("q3"));

      // The first frame back answers the query: the bad error frame got no error.
      link.expect(Frame.HealthReport.class);
    }
  }

  @Test
  void answers_a_frame_only_instruments_send_with_unexpected_frame() {
    try (var client = TestClients.on(platform).build()) {
      var link = platform.acceptAndWelcome();
      link.send(new Frame.Subscribe("s9", Topic.of("dns.queries")));

      Frame.Error error = link.expect(Frame.Error.class);
      assertEquals(ErrorCode.UNEXPECTED_FRAME.wireName(), error.code());
      assertEquals(Optional.of("s9"), error.re());
    }
  }

  @Test
  void answers_an_unknown_frame_type_with_unknown_type() {
    try (var client = TestClients.on(platform).build()) {
      var link = platform.acceptAndWelcome();
      link.sendRaw("{\"type\":\"teleport\",\"id\":\"t1\"}\n");

      assertEquals(Frame.Error.of(ErrorCode.UNKNOWN_TYPE, "unknown frame type 'teleport'", Optional.of("t1")),
          link.expect(Frame.Error.class));
    }
  }

  @Test
  void answers_a_line_over_the_frame_limit_with_frame_too_large_then_reconnects() {
    try (var client = TestClients.on(platform).build()) {
      var link = platform.acceptAndWelcome();
      byte[] huge = new byte[FrameLimits.DEFAULT_MAX_FRAME_BYTES + 10];
      Arrays.fill(huge, (byte) ' ');
      huge[huge.length - 1] = '\n';
      // The client stops reading at the limit and closes, so the rest of this write may hit a closed socket.
      Thread.ofVirtual().start(() -> {
        try {
          link.sendRaw(huge);
        } catch (UncheckedIOException expected) {
          // broken pipe
        }
      });

      assertEquals(ErrorCode.FRAME_TOO_LARGE.wireName(), link.expect(Frame.Error.class).code());
      link.expectClosed();
      platform.accept().expect(Frame.Hello.class);
    }
  }

  @Test
  void a_second_welcome_is_an_unexpected_frame() {
    try (var client = TestClients.on(platform).build()) {
      var link = platform.acceptAndWelcome();
      link.send(new Frame.Welcome("h1", 1, TestClients.ID, Optional.empty()));

      assertEquals(ErrorCode.UNEXPECTED_FRAME.wireName(), link.expect(Frame.Error.class).code());
    }
  }
}
