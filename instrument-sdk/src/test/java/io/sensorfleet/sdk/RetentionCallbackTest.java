package io.sensorfleet.sdk;

import static io.sensorfleet.sdk.testing.FakePlatform.Link.assertAnswers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.sdk.testing.FakePlatform;
import io.sensorfleet.sdk.testing.TestClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionCallbackTest {

  static final Instant CUTOFF = Instant.parse("2026-10-23T00:00:00Z");

  final FakePlatform platform = FakePlatform.start();

  @TempDir
  Path data;

  @AfterEach
  void stop() {
    platform.close();
  }

  @Test
  void answers_retention_with_what_the_sweeper_deleted() throws IOException {
    write(data.resolve("old.log"), 100, CUTOFF.minus(Duration.ofDays(1)));
    write(data.resolve("new.log"), 40, CUTOFF.plus(Duration.ofHours(1)));
    try (var client = TestClients.on(platform)
        .onRetention(cutoff -> RetentionSweeper.deleteOlderThan(data, cutoff)).build()) {
      var link = platform.acceptAndWelcome();
      link.send(new Frame.RetentionEnforce("r3", CUTOFF));

      Frame.RetentionReport report = link.expect(Frame.RetentionReport.class);
      assertAnswers("r3", report);
      assertEquals(new Frame.RetentionReport("r3", CUTOFF, 1, 100, OptionalLong.of(40), ""), report);
      assertFalse(Files.exists(data.resolve("old.log")));
      assertTrue(Files.exists(data.resolve("new.log")));
    }
  }

  @Test
  void answers_nothing_deleted_when_the_instrument_has_no_onRetention() {
    try (var client = TestClients.on(platform).build()) {
      var link = platform.acceptAndWelcome();
      link.send(new Frame.RetentionEnforce("r4", CUTOFF));

      Frame.RetentionReport report = link.expect(Frame.RetentionReport.class);
      assertEquals(0, report.deletedFiles());
      assertTrue(report.notes().contains("nothing deleted"), report.notes());
    }
  }

  @Test
  void answers_a_report_noting_the_failure_when_onRetention_throws() {
    try (var client = TestClients.on(platform).onRetention(cutoff -> {
      throw new IllegalStateException("volume gone");
    }).build()) {
      var link = platform.acceptAndWelcome();
      link.send(new Frame.RetentionEnforce("r5", CUTOFF));

      Frame.RetentionReport report = link.expect(Frame.RetentionReport.class);
      assertAnswers("r5", report);
      assertTrue(report.notes().contains("volume gone"), report.notes());
    }
  }

  static void write(Path file, int bytes, Instant modified) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, new byte[bytes]);
    Files.setLastModifiedTime(file, FileTime.from(modified));
  }
}
