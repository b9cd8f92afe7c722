package io.sensorfleet.audit;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class AuditQueriesTest {

  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  static final AuditEntry ENTRY = new AuditEntry(7, Instant.parse("2026-11-22T08:00:00Z"), Principal.platform(),
      "sensor.start", AuditKind.PLATFORM, "", Optional.empty(), Outcome.OK, "");

  @Test
  void a_stub_streams_the_page_it_is_given_for_the_filter_it_was_asked() throws Exception {
    AtomicReference<AuditFilter> asked = new AtomicReference<>();
    AuditQueries queries = AuditQueries.of(filter -> {
      asked.set(filter);
      return CompletableFuture.completedFuture(List.of(ENTRY));
    });
    AuditFilter filter = AuditFilter.recent(5).withOutcome(Outcome.OK);

    var streamed = queries.find(filter).runWith(Sink.seq(), kit.system()).toCompletableFuture().get(5, SECONDS);

    assertEquals(List.of(ENTRY), streamed);
    assertEquals(filter, asked.get());
  }
}
