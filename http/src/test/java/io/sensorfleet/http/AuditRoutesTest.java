package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.audit.AuditEntry;
import io.sensorfleet.audit.AuditFilter;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Role;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuditRoutesTest extends ApiRouteTest {

  static final Instant T0 = FakeFleet.T0;
  String token;

  @BeforeAll
  void viewer() {
    user("vera", Role.VIEWER);
    token = login("vera");
  }

  private static AuditEntry entry(long seq, String action) {
    return new AuditEntry(seq, T0.plusSeconds(seq), Principal.platform(), action, AuditKind.PLATFORM, "sensor",
        Optional.<InstrumentId>empty(), Outcome.OK, "");
  }

  private TestRouteResult get(String uri) {
    return app().run(as(token, HttpRequest.GET(uri)));
  }

  private AuditFilter capture(String uri) {
    var seen = new AtomicReference<AuditFilter>();
    auditPages = f -> {
      seen.set(f);
      return CompletableFuture.completedFuture(List.of());
    };
    get(uri).assertStatusCode(200);
    return seen.get();
  }

  @Test
  void reading_the_audit_needs_a_login() {
    app().run(HttpRequest.GET("/api/v1/audit")).assertStatusCode(401);
  }

  @Test
  void uses_the_default_limit_when_none_is_given() {
    assertEquals(100, capture("/api/v1/audit").limit());
  }

  @Test
  void passes_every_filter_through() {
    AuditFilter f = capture("/api/v1/audit?limit=5&before=9&instrument=ids&principal=user:alice&action=config%20set"
        + "&kind=config&outcome=denied&from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z");
    assertEquals(5, f.limit());
    assertEquals(Optional.of(9L), f.beforeSeq());
    assertEquals(Optional.of(InstrumentId.of("ids")), f.instrument());
    assertEquals(Optional.of("user:alice"), f.principal());
    assertEquals(Optional.of("config set"), f.action());
    assertEquals(Optional.of(AuditKind.CONFIG), f.kind());
    assertEquals(Optional.of(Outcome.DENIED), f.outcome());
    assertEquals(Optional.of(Instant.parse("2026-11-22T00:00:00Z")), f.from());
  }

  @Test
  void returns_entries_and_a_cursor_when_the_page_is_full() {
    auditPages = f -> CompletableFuture.completedFuture(List.of(entry(3, "c"), entry(2, "b")));
    var page = json(get("/api/v1/audit?limit=2").assertStatusCode(200).entityString());
    assertEquals("c", page.get("entries").get(0).get("action").asText());
    assertEquals("platform", page.get("entries").get(0).get("principal").asText());
    assertEquals(2, page.get("nextBefore").asLong());
  }

  @Test
  void has_no_cursor_on_the_last_page() {
    auditPages = f -> CompletableFuture.completedFuture(List.of(entry(1, "a")));
    assertTrue(json(get("/api/v1/audit?limit=2").entityString()).get("nextBefore").isNull());
  }

  @Test
  void rejects_an_unknown_parameter_so_a_typo_never_widens_a_query() {
    assertCode("invalid-query", get("/api/v1/audit?instrumnet=ids").assertStatusCode(400).entityString());
  }

  @Test
  void rejects_bad_values() {
    get("/api/v1/audit?limit=100000").assertStatusCode(400);
    get("/api/v1/audit?limit=ten").assertStatusCode(400);
    get("/api/v1/audit?from=yesterday").assertStatusCode(400);
    get("/api/v1/audit?instrument=..%2Fetc").assertStatusCode(400);
  }

  @Test
  void exports_every_matching_entry_as_csv_page_by_page() {
    // 2,500 entries: three pages of at most 1,000 (audit-max-limit), newest first.
    List<AuditFilter> asked = new ArrayList<>();
    auditPages = f -> {
      asked.add(f);
      long below = f.beforeSeq().orElse(2_501L);
      return CompletableFuture.completedFuture(LongStream.iterate(below - 1, s -> s >= Math.max(1, below - f.limit()),
          s -> s - 1).mapToObj(s -> entry(s, "a")).toList());
    };
    var response = get("/api/v1/audit/export?format=csv&outcome=ok").assertStatusCode(200);
    String[] lines = response.entityString().split("\n");
    assertEquals("seq,occurredAt,principal,action,kind,target,instrument,outcome,detail", lines[0]);
    assertEquals(2_501, lines.length);
    assertTrue(lines[1].startsWith("2500,2026-11-22T08:41:40Z,platform,a,platform,"), lines[1]);
    assertEquals(3, asked.size());
    assertEquals(Optional.of(Outcome.OK), asked.get(2).outcome());
    response.assertHeaderExists("Content-Disposition", "attachment; filename=\"audit.csv\"");
  }

  @Test
  void csv_cells_that_a_spreadsheet_would_run_are_defused() {
    auditPages = f -> CompletableFuture.completedFuture(f.beforeSeq().isPresent() ? List.of()
        : List.of(new AuditEntry(1, T0, Principal.platform(), "a", AuditKind.HEALTH, "x", Optional.empty(),
            Outcome.FAILED, "=HYPERLINK(\"http://evil\")")));
    String csv = get("/api/v1/audit/export?format=csv").entityString();
    assertTrue(csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), csv);
  }

  @Test
  void exports_json_as_one_array() {
    auditPages = f -> CompletableFuture.completedFuture(f.beforeSeq().isPresent() ? List.of()
        : List.of(entry(2, "b"), entry(1, "a")));
    var array = json(get("/api/v1/audit/export").assertStatusCode(200).entityString());
    assertEquals(2, array.size());
    assertEquals("a", array.get(1).get("action").asText());
  }

  @Test
  void export_refuses_a_limit_and_an_unknown_format() {
    get("/api/v1/audit/export?limit=5").assertStatusCode(400);
    get("/api/v1/audit/export?format=xml").assertStatusCode(400);
  }
}
