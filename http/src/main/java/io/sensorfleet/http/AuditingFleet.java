package io.sensorfleet.http;

import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.actors.instrument.InstrumentJournal.ConfigVersion;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.InstrumentManifest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link Fleet} that records every state-changing request in the audit log <em>before</em> passing it on
 * ({@code instrument start requested}, the user as principal), so a change nobody asked for on the record cannot
 * happen: when the journal cannot be written, the request fails (503) and nothing reaches the Instruments. What
 * the Instruments then do is audited by them; refusals (a start of an unknown Instrument, an install of an
 * installed one) are recorded here too ({@code instrument start refused}, outcome {@code failed}) before the client
 * gets its 404 or 409.
 */
public final class AuditingFleet implements Fleet {

  private final Fleet fleet;
  private final Function<AuditRequest, CompletionStage<?>> audit;

  public AuditingFleet(Fleet fleet, Function<AuditRequest, CompletionStage<?>> audit) {
    this.fleet = fleet;
    this.audit = audit;
  }

  @Override
  public CompletionStage<List<Instrument.Status>> list() {
    return fleet.list();
  }

  @Override
  public org.apache.pekko.stream.javadsl.Source<Instrument.Status, org.apache.pekko.NotUsed> live() {
    return fleet.live();
  }

  @Override
  public CompletionStage<Instrument.Status> install(InstrumentManifest manifest, Principal by) {
    return audited("instrument install", AuditKind.LIFECYCLE, manifest.id(), by,
        () -> fleet.install(manifest, by));
  }

  @Override
  public CompletionStage<Instrument.Status> start(InstrumentId id, Principal by) {
    return audited("instrument start", AuditKind.LIFECYCLE, id, by, () -> fleet.start(id, by));
  }

  @Override
  public CompletionStage<Instrument.Status> stop(InstrumentId id, Principal by) {
    return audited("instrument stop", AuditKind.LIFECYCLE, id, by, () -> fleet.stop(id, by));
  }

  @Override
  public CompletionStage<Instrument.Status> remove(InstrumentId id, boolean purge, Principal by) {
    return audited(purge ? "instrument purge" : "instrument remove", AuditKind.LIFECYCLE, id, by,
        () -> fleet.remove(id, purge, by));
  }

  @Override
  public CompletionStage<Instrument.Status> setRetention(InstrumentId id, java.time.Duration retention,
      Principal by) {
    return audited("retention set", AuditKind.RETENTION, id, by, () -> fleet.setRetention(id, retention, by));
  }

  @Override
  public CompletionStage<ConfigVersion> setConfig(InstrumentId id, String json, Principal by) {
    return audited("config set", AuditKind.CONFIG, id, by, () -> fleet.setConfig(id, json, by));
  }

  @Override
  public CompletionStage<ConfigVersion> rollbackConfig(InstrumentId id, long version, Principal by) {
    return audited("config rollback", AuditKind.CONFIG, id, by, () -> fleet.rollbackConfig(id, version, by));
  }

  @Override
  public CompletionStage<List<ConfigVersion>> configHistory(InstrumentId id) {
    return fleet.configHistory(id);
  }

  private <T> CompletionStage<T> audited(String action, AuditKind kind, InstrumentId id, Principal by,
      Supplier<CompletionStage<T>> call) {
    var requested = AuditRequest.of(by, action + " requested", kind, Outcome.OK, "").aboutInstrument(id);
    return audit.apply(requested).thenCompose(stored -> call.get()).exceptionallyCompose(error -> {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (!(cause instanceof ApiException.NotFound || cause instanceof ApiException.Conflict)) {
        // Timeouts (of the audit itself, or of the Instrument, which records its own outcome) and failures.
        return CompletableFuture.failedFuture(cause);
      }
      var entry = AuditRequest.of(by, action + " refused", kind, Outcome.FAILED, cause.getMessage())
          .aboutInstrument(id);
      return audit.apply(entry).thenCompose(stored -> CompletableFuture.<T>failedFuture(cause));
    });
  }
}
