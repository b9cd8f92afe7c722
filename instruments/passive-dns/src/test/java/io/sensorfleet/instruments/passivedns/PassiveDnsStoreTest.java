package io.sensorfleet.instruments.passivedns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PassiveDnsStoreTest {

  static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");

  @TempDir
  Path dir;

  PassiveDnsStore store;

  @BeforeEach
  void open() throws SQLException {
    store = PassiveDnsStore.open(dir);
  }

  @AfterEach
  void close() throws SQLException {
    store.close();
  }

  void see(String qname, String qtype, String answer, Instant at) throws SQLException {
    store.record(new Observation(qname, qtype, answer, at));
  }

  @Test
  void counts_repeated_sightings_in_one_row_with_first_and_last_seen() throws SQLException {
    see("example.org", "A", "203.0.113.80", T0.plusSeconds(60));
    see("example.org", "A", "203.0.113.80", T0);
    see("example.org", "A", "203.0.113.80", T0.plusSeconds(30));

    assertEquals(List.of(new PassiveDnsStore.Row("example.org", "A", "203.0.113.80", T0, T0.plusSeconds(60), 3)),
        store.search("example.org", 10));
  }

  @Test
  void keeps_one_row_per_name_type_and_answer() throws SQLException {
    see("example.org", "A", "203.0.113.80", T0);
    see("example.org", "A", "203.0.113.81", T0);
    see("example.org", "AAAA", "2001:db8::80", T0);

    assertEquals(3, store.stats().rows());
    assertEquals(1, store.stats().names());
  }

  @Test
  void finds_subdomains_and_answers_but_not_lookalikes() throws SQLException {
    see("example.org", "A", "203.0.113.80", T0);
    see("www.example.org", "CNAME", "example.org.", T0.plusSeconds(1));
    see("badexample.org", "A", "203.0.113.80", T0.plusSeconds(2));

    assertEquals(List.of("www.example.org", "example.org"),
        store.search("Example.ORG.", 10).stream().map(PassiveDnsStore.Row::qname).toList());
    assertEquals(List.of("badexample.org", "example.org"),
        store.search("203.0.113.80", 10).stream().map(PassiveDnsStore.Row::qname).toList());
  }

  @Test
  void like_wildcards_in_a_query_are_literal() throws SQLException {
    see("a_b.example", "A", "192.0.2.1", T0);
    see("axb.example", "A", "192.0.2.2", T0);

    assertEquals(List.of(), store.search("%", 10));
    assertEquals(List.of(), store.search("_b.example", 10));
    assertEquals(1, store.search("a_b.example", 10).size());
  }

  @Test
  void returns_at_most_the_limit_newest_first() throws SQLException {
    for (int i = 0; i < 5; i++) {
      see("example.org", "A", "192.0.2." + i, T0.plusSeconds(i));
    }

    assertEquals(List.of("192.0.2.4", "192.0.2.3"),
        store.search("example.org", 2).stream().map(PassiveDnsStore.Row::answer).toList());
  }

  @Test
  void deletes_rows_last_seen_before_the_cutoff() throws SQLException {
    see("old.example", "A", "192.0.2.1", T0);
    see("kept.example", "A", "192.0.2.2", T0);
    see("kept.example", "A", "192.0.2.2", T0.plusSeconds(3600));

    assertEquals(1, store.deleteLastSeenBefore(T0.plusSeconds(60)));
    assertEquals(List.of(), store.search("old.example", 10));
    assertEquals(1, store.search("kept.example", 10).size());
  }

  @Test
  void keeps_its_rows_through_compaction_and_writes_no_other_files() throws SQLException, IOException {
    see("example.org", "A", "203.0.113.80", T0);
    store.compact();
    see("example.org", "A", "203.0.113.80", T0.plusSeconds(1));

    assertEquals(2, store.search("example.org", 10).getFirst().count());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("pdns.mv.db"), files.map(f -> f.getFileName().toString()).toList());
    }
  }

  @Test
  void survives_a_reopen() throws SQLException {
    see("example.org", "A", "203.0.113.80", T0);
    store.close();
    store = PassiveDnsStore.open(dir);

    assertEquals(1, store.stats().rows());
    assertTrue(store.stats().lastSeen().isPresent());
  }
}
