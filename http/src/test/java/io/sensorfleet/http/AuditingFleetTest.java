package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.ManifestParser;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class AuditingFleetTest {

  static final InstrumentId IDS = InstrumentId.of("ids");
  static final Principal OLA = Principal.user("ola");

  private static FakeFleet fleet() {
    return new FakeFleet().with(ManifestParser.parseOrThrow("id: ids\nimage: sensorfleet/base\n"), Actual.STOPPED);
  }

  @Test
  void a_request_is_on_the_record_before_it_reaches_the_instruments() throws Exception {
    FakeFleet fleet = fleet();
    List<String> order = new ArrayList<>();
    var audited = new AuditingFleet(fleet, request -> {
      order.add(request.action() + " by " + request.principal() + ", calls so far " + fleet.calls().size());
      return CompletableFuture.completedFuture(null);
    });
    audited.start(IDS, OLA).toCompletableFuture().get();
    assertEquals(List.of("instrument start requested by user:ola, calls so far 0"), order);
    assertEquals(1, fleet.calls().size());
  }

  @Test
  void when_the_audit_cannot_be_written_nothing_reaches_the_instruments() {
    FakeFleet fleet = fleet();
    var audited = new AuditingFleet(fleet, request -> CompletableFuture.failedFuture(
        new TimeoutException("the audit log did not answer")));
    var error = assertThrows(ExecutionException.class, () -> audited.stop(IDS, OLA).toCompletableFuture().get());
    assertInstanceOf(TimeoutException.class, error.getCause());  // FleetApi answers 503
    assertEquals(0, fleet.calls().size());
  }

  @Test
  void a_refusal_is_recorded_after_the_request() {
    List<AuditRequest> entries = new ArrayList<>();
    var audited = new AuditingFleet(fleet(), request -> {
      entries.add(request);
      return CompletableFuture.completedFuture(null);
    });
    assertThrows(ExecutionException.class, () -> audited.start(InstrumentId.of("nope"), OLA).toCompletableFuture()
        .get());
    assertEquals(List.of("instrument start requested", "instrument start refused"),
        entries.stream().map(AuditRequest::action).toList());
  }
}
