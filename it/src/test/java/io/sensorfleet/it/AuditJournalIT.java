package io.sensorfleet.it;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sensorfleet.audit.AuditEntry;
import io.sensorfleet.audit.AuditFilter;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.AuditQueries;
import io.sensorfleet.audit.AuditReadSide;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.JournalSchema;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.audit.internal.SharedDatabase;
import io.sensorfleet.core.InstrumentId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit journal on a real H2 file: AuditLog writes through Pekko Persistence JDBC, AuditReadSide follows the
 * journal into audit_entry, AuditQueries reads it. Started as the guardian will: schema, then AuditLog, then the
 * read side.
 */
class AuditJournalIT {

  static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");
  static final Duration READ_SIDE_WAIT = Duration.ofSeconds(15);
  static final InstrumentId IDS = InstrumentId.of("ids");
  static final InstrumentId DNS = InstrumentId.of("dns");

  /** One running "sensor" on a data directory: its own actor system, as after a process start. */
  static final class Sensor implements AutoCloseable {
    final ActorTestKit kit;
    final ActorRef<AuditLog.Command> log;
    ActorRef<AuditReadSide.Command> readSide;
    final AuditQueries queries;

    Sensor(Config config, Clock clock) throws Exception {
      kit = ActorTestKit.create("audit-it", config);
      JournalSchema.ensure(kit.system()).toCompletableFuture().get(30, SECONDS);
      log = kit.spawn(AuditLog.create(clock), "audit-log");
      readSide = kit.spawn(AuditReadSide.create(), "audit-read-side");
      queries = AuditQueries.create(kit.system());
    }

    AuditEntry record(AuditRequest request) {
      TestProbe<AuditEntry> probe = kit.createTestProbe();
      log.tell(new AuditLog.Record(request, probe.ref()));
      return probe.receiveMessage(Duration.ofSeconds(10));
    }

    List<AuditEntry> page(AuditFilter filter) {
      try {
        return queries.findPage(filter).toCompletableFuture().get(10, SECONDS);
      } catch (Exception e) {
        throw new AssertionError("query failed: " + filter, e);
      }
    }

    /** Waits until the read side shows exactly {@code expected} (newest first) for {@code filter}. */
    void awaitPage(AuditFilter filter, List<AuditEntry> expected) {
      kit.createTestProbe().awaitAssert(READ_SIDE_WAIT, () -> {
        assertEquals(expected, page(filter));
        return null;
      });
    }

    void stopReadSide() {
      kit.stop(readSide);
    }

    void startReadSide() {
      readSide = kit.spawn(AuditReadSide.create(), "audit-read-side-" + System.nanoTime());
    }

    /** Plain SQL on the sensor's database (through the plugin's shared pool), to look behind the API. */
    <T> T sql(SqlWork<T> work) throws Exception {
      try (Connection c = SharedDatabase.connections(kit.system(), "jdbc-read-journal").open();
          Statement st = c.createStatement()) {
        return work.run(st);
      }
    }

    @Override
    public void close() {
      kit.shutdownTestKit();
    }
  }

  interface SqlWork<T> {
    T run(Statement st) throws Exception;
  }

  /** The first row of {@code query}, as longs. */
  static List<Long> longs(Statement st, String query) throws Exception {
    try (ResultSet rs = st.executeQuery(query)) {
      rs.next();
      List<Long> row = new ArrayList<>();
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        row.add(rs.getLong(i));
      }
      return row;
    }
  }

  /** A clock at T0 that moves one minute on each reading: entry n occurred at T0 + (n - 1) minutes. */
  static final class MinuteClock extends Clock {
    private final AtomicReference<Instant> next;

    MinuteClock(Instant start) {
      next = new AtomicReference<>(start);
    }

    @Override
    public Instant instant() {
      return next.getAndUpdate(t -> t.plus(Duration.ofMinutes(1)));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  static AuditRequest request(Principal who, String action, AuditKind kind, InstrumentId about, Outcome outcome) {
    AuditRequest r = AuditRequest.of(who, action, kind, outcome, action + " by " + who);
    return about == null ? r : r.aboutInstrument(about);
  }

  static List<Long> seqs(List<AuditEntry> entries) {
    return entries.stream().map(AuditEntry::seq).toList();
  }

  static List<AuditEntry> newestFirst(List<AuditEntry> entries) {
    return entries.reversed();
  }

  /** Filters and paging, over one data set written once; run on each database by a subclass. */
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  abstract static class QueriesContract {
    Sensor sensor;
    final List<AuditEntry> written = new ArrayList<>();

    /** The config of a sensor on a fresh, empty database. */
    abstract Config freshDatabase(Path tempDir) throws Exception;

    @BeforeAll
    void writeTenEntries(@TempDir Path tempDir) throws Exception {
      sensor = new Sensor(freshDatabase(tempDir), new MinuteClock(T0));
      Principal alice = Principal.user("alice");
      Principal bob = Principal.user("bob");
      List<AuditRequest> requests = List.of(
          AuditRequest.platform("sensor.start", AuditKind.PLATFORM, "booted"),                            // 1
          request(alice, "instrument.install", AuditKind.LIFECYCLE, IDS, Outcome.OK),                      // 2
          request(alice, "instrument.start", AuditKind.LIFECYCLE, IDS, Outcome.OK),                        // 3
          request(Principal.instrument(IDS), "message.relay", AuditKind.MESSAGE, IDS, Outcome.DENIED)
              .withTarget("instrument:dns"),                                                               // 4
          request(bob, "instrument.install", AuditKind.LIFECYCLE, DNS, Outcome.OK),                        // 5
          request(bob, "instrument.start", AuditKind.LIFECYCLE, DNS, Outcome.FAILED),                      // 6
          request(Principal.instrument(DNS), "message.relay", AuditKind.MESSAGE, DNS, Outcome.OK),         // 7
          request(Principal.platform(), "health.check", AuditKind.HEALTH, IDS, Outcome.FAILED),           // 8
          request(alice, "config.set", AuditKind.CONFIG, null, Outcome.OK).withTarget("retention.days"),   // 9
          request(bob, "instrument.stop", AuditKind.LIFECYCLE, IDS, Outcome.OK));                          // 10
      for (AuditRequest r : requests) {
        written.add(sensor.record(r));
      }
      sensor.awaitPage(AuditFilter.recent(100), newestFirst(written));
    }

    @AfterAll
    void stop() {
      sensor.close();
    }

    @Test
    void numbers_entries_from_one_in_the_order_they_were_recorded() {
      assertEquals(LongStream.rangeClosed(1, 10).boxed().toList(), seqs(written));
    }

    @Test
    void returns_entries_exactly_as_the_log_replied_them_newest_first() {
      assertEquals(newestFirst(written), sensor.page(AuditFilter.recent(100)));
    }

    @Test
    void filters_by_instrument() {
      assertEquals(List.of(10L, 8L, 4L, 3L, 2L), seqs(sensor.page(AuditFilter.recent(100).withInstrument(IDS))));
    }

    @Test
    void filters_by_principal() {
      assertEquals(List.of(9L, 3L, 2L), seqs(sensor.page(AuditFilter.recent(100).withPrincipal("user:alice"))));
    }

    @Test
    void filters_by_principal_kind() {
      assertEquals(List.of(8L, 1L), seqs(sensor.page(AuditFilter.recent(100).withPrincipal(Principal.platform()))));
      assertEquals(List.of(7L, 4L), seqs(sensor.page(AuditFilter.recent(100).withPrincipal("instrument"))));
    }

    @Test
    void filters_by_action() {
      assertEquals(List.of(6L, 3L), seqs(sensor.page(AuditFilter.recent(100).withAction("instrument.start"))));
    }

    @Test
    void filters_by_kind() {
      assertEquals(List.of(7L, 4L), seqs(sensor.page(AuditFilter.recent(100).withKind(AuditKind.MESSAGE))));
    }

    @Test
    void filters_by_outcome() {
      assertEquals(List.of(8L, 6L), seqs(sensor.page(AuditFilter.recent(100).withOutcome(Outcome.FAILED))));
    }

    @Test
    void filters_by_a_time_range_including_from_and_excluding_to() {
      var filter = AuditFilter.recent(100).withFrom(T0.plus(Duration.ofMinutes(2))).withTo(T0.plus(Duration.ofMinutes(5)));

      assertEquals(List.of(5L, 4L, 3L), seqs(sensor.page(filter)));
    }

    @Test
    void combines_filters() {
      var filter = AuditFilter.recent(100).withInstrument(IDS).withOutcome(Outcome.OK);

      assertEquals(List.of(10L, 3L, 2L), seqs(sensor.page(filter)));
    }

    @Test
    void pages_backwards_with_the_seq_of_the_last_entry_as_cursor() {
      List<List<Long>> pages = new ArrayList<>();
      AuditFilter filter = AuditFilter.recent(4);
      for (int i = 0; i < 5; i++) {
        List<AuditEntry> page = sensor.page(filter);
        pages.add(seqs(page));
        if (page.isEmpty()) {
          break;
        }
        filter = filter.withBeforeSeq(page.getLast().seq());
      }

      assertEquals(List.of(List.of(10L, 9L, 8L, 7L), List.of(6L, 5L, 4L, 3L), List.of(2L, 1L), List.of()), pages);
    }

    @Test
    void streams_the_same_entries_as_the_page() throws Exception {
      var filter = AuditFilter.recent(100).withInstrument(DNS);

      var streamed = sensor.queries.find(filter).runWith(Sink.seq(), sensor.kit.system())
          .toCompletableFuture().get(10, SECONDS);

      assertEquals(sensor.page(filter), streamed);
    }

    @Test
    void tags_journal_events_with_their_instrument_and_kind() throws Exception {
      JdbcReadJournal journal = PersistenceQuery.get(sensor.kit.system())
          .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());

      List<EventEnvelope> dns = journal.currentEventsByTag("instrument:dns", Offset.noOffset())
          .runWith(Sink.seq(), sensor.kit.system()).toCompletableFuture().get(10, SECONDS);
      List<EventEnvelope> health = journal.currentEventsByTag("kind:health", Offset.noOffset())
          .runWith(Sink.seq(), sensor.kit.system()).toCompletableFuture().get(10, SECONDS);

      assertEquals(List.of(5L, 6L, 7L), dns.stream().map(EventEnvelope::sequenceNr).toList());
      assertEquals(List.of(8L), health.stream().map(EventEnvelope::sequenceNr).toList());
    }

    @Test
    void stores_events_as_json_that_sql_can_read() throws Exception {
      String payload = sensor.sql(st -> {
        try (ResultSet rs = st.executeQuery(
            "SELECT event_payload FROM event_journal WHERE persistence_id = 'audit-log' AND sequence_number = 4")) {
          rs.next();
          return new String(rs.getBytes(1), StandardCharsets.UTF_8);
        }
      });

      assertTrue(payload.contains("\"principal\":\"instrument:ids\"") && payload.contains("\"outcome\":\"denied\""),
          payload);
    }
  }

  /** Restart, rebuild and catch-up; run on each database by a subclass. */
  abstract static class ScenariosContract {
    @TempDir Path tempDir;
    Sensor sensor;

    /** The config of a sensor on a fresh, empty database. */
    abstract Config freshDatabase(Path tempDir) throws Exception;

    @AfterEach
    void stopSensor() {
      if (sensor != null) {
        sensor.close();
      }
    }

    @Test
    void reads_back_everything_after_a_restart_on_the_same_database_and_continues_the_seq() throws Exception {
      // 105 entries: the restart recovers from a snapshot (taken at 100) plus events.
      Config config = freshDatabase(tempDir);
      MinuteClock clock = new MinuteClock(T0);
      List<AuditEntry> written = new ArrayList<>();
      try (Sensor first = new Sensor(config, clock)) {
        for (int i = 0; i < 105; i++) {
          written.add(first.record(request(Principal.user("alice"), "config.set", AuditKind.CONFIG, i % 2 == 0 ? IDS : null,
              Outcome.OK)));
        }
        first.awaitPage(AuditFilter.recent(1000), newestFirst(written));
      }

      sensor = new Sensor(config, clock);
      assertEquals(newestFirst(written), sensor.page(AuditFilter.recent(1000)));
      assertEquals(written, sensor.queries.journal(1).runWith(Sink.seq(), sensor.kit.system())
          .toCompletableFuture().get(10, SECONDS));

      AuditEntry next = sensor.record(AuditRequest.platform("sensor.start", AuditKind.PLATFORM, "again"));
      assertEquals(106, next.seq());
      sensor.awaitPage(AuditFilter.recent(1), List.of(next));
    }

    @Test
    void rebuild_restores_the_same_table_contents() throws Exception {
      sensor = new Sensor(freshDatabase(tempDir), new MinuteClock(T0));
      List<AuditEntry> written = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        written.add(sensor.record(request(Principal.user("bob"), "instrument.start", AuditKind.LIFECYCLE, DNS, Outcome.OK)));
      }
      sensor.awaitPage(AuditFilter.recent(100), newestFirst(written));
      // Damage the table behind the read side's back: the rebuild must take everything from the journal again.
      sensor.sql(st -> st.executeUpdate("DELETE FROM audit_entry WHERE seq IN (2, 5)"));

      TestProbe<StatusReply<Done>> probe = sensor.kit.createTestProbe();
      sensor.readSide.tell(new AuditReadSide.Rebuild(probe.ref()));

      assertEquals(StatusReply.ack(), probe.receiveMessage(Duration.ofSeconds(30)));
      assertEquals(newestFirst(written), sensor.page(AuditFilter.recent(100)));
    }

    @Test
    void follows_the_journal_again_after_a_rebuild() throws Exception {
      sensor = new Sensor(freshDatabase(tempDir), new MinuteClock(T0));
      sensor.record(AuditRequest.platform("sensor.start", AuditKind.PLATFORM, ""));
      TestProbe<StatusReply<Done>> probe = sensor.kit.createTestProbe();
      sensor.readSide.tell(new AuditReadSide.Rebuild(probe.ref()));
      probe.expectMessage(Duration.ofSeconds(30), StatusReply.ack());

      AuditEntry after = sensor.record(AuditRequest.platform("sensor.check", AuditKind.HEALTH, ""));

      sensor.awaitPage(AuditFilter.recent(1), List.of(after));
    }

    @Test
    void a_stopped_read_side_catches_up_from_its_stored_offset_without_duplicates() throws Exception {
      sensor = new Sensor(freshDatabase(tempDir), new MinuteClock(T0));
      List<AuditEntry> written = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        written.add(sensor.record(request(Principal.user("carol"), "instrument.stop", AuditKind.LIFECYCLE, IDS, Outcome.OK)));
      }
      sensor.awaitPage(AuditFilter.recent(100), newestFirst(written));
      sensor.stopReadSide();
      // Remove entry 1 behind the read side's back: had it replayed from the start rather than from its stored
      // offset, entry 1 would come back.
      sensor.sql(st -> st.executeUpdate("DELETE FROM audit_entry WHERE seq = 1"));
      for (int i = 0; i < 4; i++) {
        written.add(sensor.record(request(Principal.user("carol"), "instrument.start", AuditKind.LIFECYCLE, IDS, Outcome.OK)));
      }

      sensor.startReadSide();

      sensor.awaitPage(AuditFilter.recent(100), newestFirst(written.subList(1, 7)));
      assertEquals(List.of(6L, 6L), sensor.sql(st -> longs(st, "SELECT COUNT(*), COUNT(DISTINCT seq) FROM audit_entry")));
      List<Long> newestOrdering = sensor.sql(st -> longs(st, "SELECT MAX(ordering) FROM event_journal"));
      List<Long> storedOffset = sensor.sql(st -> longs(st, "SELECT last_offset FROM audit_projection_offset"));
      assertEquals(newestOrdering, storedOffset, "the stored offset is the journal's newest ordering");
    }
  }

  /** The sensor's default: an H2 file under the data directory. */
  static Config h2File(Path dataDir) {
    // load(overrides), not overrides.withFallback(load()): the H2 URL in reference.conf is built from
    // sensor.data-dir, and only a config resolved after the override sees it.
    return ConfigFactory.load(ConfigFactory.parseMap(Map.of("sensor.data-dir", dataDir.toString())));
  }

  @Nested
  class QueriesOnH2File extends QueriesContract {
    @Override
    Config freshDatabase(Path tempDir) {
      return h2File(tempDir);
    }
  }

  @Nested
  class ScenariosOnH2File extends ScenariosContract {
    @Override
    Config freshDatabase(Path tempDir) {
      return h2File(tempDir);
    }

    @Test
    void refuses_to_start_when_the_dialect_does_not_match_the_database() {
      Config config = ConfigFactory.parseMap(Map.of("sensor.audit.dialect", "postgres")).withFallback(h2File(tempDir));
      ActorTestKit kit = ActorTestKit.create("audit-it", config);
      try {
        var failure = assertThrows(ExecutionException.class,
            () -> JournalSchema.ensure(kit.system()).toCompletableFuture().get(30, SECONDS));
        assertInstanceOf(IllegalStateException.class, failure.getCause());
      } finally {
        kit.shutdownTestKit();
      }
    }
  }

  // PostgreSQL: `./sensorfleet test` starts a throwaway cluster (scripts/test-postgres.sh) and sets
  // SENSORFLEET_IT_POSTGRES_URL (and _USER, _PASSWORD). Every test drops the journal and read-side tables in it.
  // Without it these tests fail loudly, never skip. It is a separate variable from the profile's
  // SENSORFLEET_DB_URL so that no test ever runs against the database a shell happens to be configured for.

  static final String PG_URL = "SENSORFLEET_IT_POSTGRES_URL";

  /** conf/postgres.conf, as the launcher loads it, pointed at the throwaway database, emptied first. */
  static Config freshPostgres() throws Exception {
    String url = System.getenv(PG_URL);
    if (url == null || url.isBlank()) {
      throw new IllegalStateException(PG_URL + " is not set: run the tests with ./sensorfleet test, which starts a "
          + "throwaway PostgreSQL (scripts/test-postgres.sh), or point it at a throwaway database");
    }
    String user = System.getenv().getOrDefault("SENSORFLEET_IT_POSTGRES_USER", "sensorfleet_it");
    String password = System.getenv().getOrDefault("SENSORFLEET_IT_POSTGRES_PASSWORD", "");
    try (Connection c = java.sql.DriverManager.getConnection(url, user, password); Statement st = c.createStatement()) {
      for (String table : List.of("event_tag", "event_journal", "snapshot", "durable_state", "audit_entry",
          "audit_projection_offset")) {
        st.execute("DROP TABLE IF EXISTS " + table + " CASCADE");
      }
    }
    Path profile = Path.of(System.getProperty("sensorfleet.root", ".."), "conf", "postgres.conf");
    String db = "pekko-persistence-jdbc.shared-databases.sensorfleet.db.";
    Config database = ConfigFactory.parseMap(Map.of(db + "url", url, db + "user", user, db + "password", password));
    return ConfigFactory.load(database.withFallback(ConfigFactory.parseFile(profile.toFile())));
  }

  @Nested
  class QueriesOnPostgres extends QueriesContract {
    @Override
    Config freshDatabase(Path tempDir) throws Exception {
      return freshPostgres();
    }
  }

  @Nested
  class ScenariosOnPostgres extends ScenariosContract {
    @Override
    Config freshDatabase(Path tempDir) throws Exception {
      return freshPostgres();
    }
  }
}
