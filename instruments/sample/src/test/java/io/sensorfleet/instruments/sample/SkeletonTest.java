package io.sensorfleet.instruments.sample;

import static io.sensorfleet.sdk.testing.FakePlatform.Link.assertAnswers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.HealthStatus;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.sdk.testing.FakePlatform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The skeleton of docs/instrument-sdk.md compiles (it is this module's {@link Skeleton}), is quoted exactly, and
 * works: run as its own JVM, configured only through the environment, as the platform would run it.
 */
class SkeletonTest {

  static final Path ROOT = Path.of(System.getProperty("sensorfleet.root", "../.."));
  static final Path SOURCE =
      ROOT.resolve("instruments/sample/src/main/java/io/sensorfleet/instruments/sample/Skeleton.java");
  static final Path DOC = ROOT.resolve("docs/instrument-sdk.md");

  final FakePlatform platform = FakePlatform.start();

  @TempDir
  Path temp;

  Process process;

  @AfterEach
  void stop() {
    if (process != null) {
      process.destroyForcibly();
    }
    platform.close();
  }

  @Test
  void the_guide_quotes_the_skeleton_exactly() throws IOException {
    String source = Files.readString(SOURCE);
    String doc = Files.readString(DOC);

    assertTrue(doc.contains("```java\n" + source + "```\n"),
        "docs/instrument-sdk.md must quote " + SOURCE.getFileName() + " whole, in a ```java block");
  }

  @Test
  void the_skeleton_runs_against_the_platform_until_bye() throws Exception {
    Path output = temp.resolve("stdout");
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Skeleton.class.getName())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile());
    builder.environment().put("SENSORFLEET_INSTRUMENT", "skeleton");
    builder.environment().put("SENSORFLEET_BUS", platform.socket().toString());
    builder.environment().put("SENSORFLEET_DATA_DIR", temp.resolve("data").toString());
    process = builder.start();

    FakePlatform.Link link = platform.acceptAndWelcome();
    link.send(new Frame.Ack(link.expect(Frame.Subscribe.class).id()));
    link.send(new Frame.Config("c1", 1, RawJson.of("{}")));
    assertAnswers("c1", link.expect(Frame.ConfigAck.class));
    link.send(new Frame.HealthQuery("q1"));
    assertEquals(HealthStatus.HEALTHY, link.expect(Frame.HealthReport.class).status());
    link.send(new Frame.RetentionEnforce("r1", Instant.parse("2026-01-01T00:00:00Z")));
    assertAnswers("r1", link.expect(Frame.RetentionReport.class));
    link.send(new Frame.Deliver(InstrumentId.of("ids"), RawJson.of("{\"ping\":1}")));
    link.send(new Frame.Bye("test over"));
    link.expect(Frame.Bye.class);

    assertTrue(process.waitFor(FakePlatform.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "the skeleton must exit");
    assertEquals(0, process.exitValue());
    String printed = Files.readString(output);
    assertTrue(printed.contains("message from ids: {\"ping\":1}"), printed);
    assertTrue(printed.contains("stopping: test over"), printed);
  }
}
