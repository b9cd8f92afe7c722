package io.sensorfleet.http;

import io.sensorfleet.actors.instrument.HealthTracker;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.actors.instrument.InstrumentJournal;
import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import io.sensorfleet.actors.instrument.InstrumentJournal.ConfigVersion;
import io.sensorfleet.actors.instrument.InstrumentJournal.Desired;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.InstrumentManifest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Source;

/**
 * An in-memory {@link Fleet} with the registry's answers (unknown 404, already installed 409), recording who asked
 * for what, so route tests check the principal each command carries.
 */
final class FakeFleet implements Fleet {

  static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

  record Call(String what, InstrumentId id, Principal by) {}

  final List<Call> calls = new ArrayList<>();
  private final Map<InstrumentId, Instrument.Status> instruments = new TreeMap<>();
  private final Map<InstrumentId, List<ConfigVersion>> configs = new TreeMap<>();
  /** Live readers: every change is offered to each. */
  private final List<BoundedSourceQueue<Instrument.Status>> live = new java.util.concurrent.CopyOnWriteArrayList<>();

  synchronized FakeFleet with(InstrumentManifest manifest, Actual actual) {
    HealthTracker health = HealthTracker.stopped(10).starting().record(new HealthTracker.Check(T0,
        HealthTracker.Result.HEALTHY, Optional.of(Duration.ofMillis(4)), "ok"));
    instruments.put(manifest.id(), new Instrument.Status(manifest.id(), Optional.of(manifest),
        actual == Actual.RUNNING ? Desired.RUNNING : Desired.STOPPED, actual, "", Optional.of(T0),
        actual == Actual.RUNNING, health, Optional.empty(), 0, Optional.empty()));
    configs.put(manifest.id(), new ArrayList<>(List.of(new ConfigVersion(1, "{\"level\":1}", Principal.user("admin"),
        T0, "", InstrumentJournal.ConfigState.ACCEPTED, "", Optional.of(T0)))));
    return this;
  }

  /** Sets the Instrument's last storage measurement. */
  synchronized FakeFleet withStorage(io.sensorfleet.core.storage.StorageUsage usage) {
    Instrument.Status s = instruments.get(usage.id());
    instruments.put(usage.id(), new Instrument.Status(s.id(), s.manifest(), s.desired(), s.actual(), s.detail(),
        s.since(), s.connected(), s.health(), s.retention(), s.blockedFrames(), Optional.of(usage)));
    return this;
  }

  synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  @Override
  public synchronized CompletionStage<List<Instrument.Status>> list() {
    return CompletableFuture.completedFuture(List.copyOf(instruments.values()));
  }

  @Override
  public synchronized CompletionStage<Instrument.Status> install(InstrumentManifest manifest, Principal by) {
    calls.add(new Call("install", manifest.id(), by));
    if (instruments.containsKey(manifest.id())) {
      return CompletableFuture.failedFuture(new ApiException.Conflict(manifest.id() + " is already installed"));
    }
    with(manifest, Actual.INSTALLED);
    return CompletableFuture.completedFuture(instruments.get(manifest.id()));
  }

  @Override
  public CompletionStage<Instrument.Status> start(InstrumentId id, Principal by) {
    return change("start", id, by, Actual.RUNNING);
  }

  @Override
  public CompletionStage<Instrument.Status> stop(InstrumentId id, Principal by) {
    return change("stop", id, by, Actual.STOPPED);
  }

  @Override
  public synchronized CompletionStage<Instrument.Status> remove(InstrumentId id, boolean purge, Principal by) {
    CompletionStage<Instrument.Status> result = change(purge ? "purge" : "remove", id, by, Actual.REMOVED);
    instruments.remove(id);
    return result;
  }

  @Override
  public synchronized CompletionStage<Instrument.Status> setRetention(InstrumentId id, Duration retention,
      Principal by) {
    calls.add(new Call("retention", id, by));
    Instrument.Status s = instruments.get(id);
    if (s == null) {
      return unknown(id);
    }
    var next = new Instrument.Status(id, s.manifest().map(m -> m.withRetention(retention)), s.desired(), s.actual(),
        s.detail(), s.since(), s.connected(), s.health(), s.retention(), s.blockedFrames(), s.storage());
    instruments.put(id, next);
    return CompletableFuture.completedFuture(next);
  }

  @Override
  public synchronized CompletionStage<ConfigVersion> setConfig(InstrumentId id, String json, Principal by) {
    calls.add(new Call("config", id, by));
    List<ConfigVersion> versions = configs.get(id);
    if (versions == null) {
      return unknown(id);
    }
    var next = new ConfigVersion(versions.size() + 1, json, by, T0, "", InstrumentJournal.ConfigState.PENDING, "",
        Optional.empty());
    versions.add(next);
    return CompletableFuture.completedFuture(next);
  }

  @Override
  public synchronized CompletionStage<ConfigVersion> rollbackConfig(InstrumentId id, long version, Principal by) {
    List<ConfigVersion> versions = configs.get(id);
    if (versions == null || version > versions.size()) {
      return CompletableFuture.failedFuture(new ApiException.NotFound(id + ": no configuration version " + version));
    }
    return setConfig(id, versions.get((int) version - 1).json(), by);
  }

  @Override
  public synchronized CompletionStage<List<ConfigVersion>> configHistory(InstrumentId id) {
    List<ConfigVersion> versions = configs.get(id);
    return versions == null ? unknown(id) : CompletableFuture.completedFuture(List.copyOf(versions));
  }

  private synchronized CompletionStage<Instrument.Status> change(String what, InstrumentId id, Principal by,
      Actual actual) {
    calls.add(new Call(what, id, by));
    Instrument.Status s = instruments.get(id);
    if (s == null) {
      return unknown(id);
    }
    var next = new Instrument.Status(id, s.manifest(), actual == Actual.RUNNING ? Desired.RUNNING : Desired.STOPPED,
        actual, "", s.since(), actual == Actual.RUNNING, s.health(), s.retention(), s.blockedFrames(), s.storage());
    instruments.put(id, next);
    live.forEach(q -> q.offer(next));
    return CompletableFuture.completedFuture(next);
  }

  @Override
  public Source<Instrument.Status, NotUsed> live() {
    return Source.<Instrument.Status>queue(100).mapMaterializedValue(q -> {
      live.add(q);
      return NotUsed.getInstance();
    });
  }

  private static <T> CompletionStage<T> unknown(InstrumentId id) {
    return CompletableFuture.failedFuture(new ApiException.NotFound("unknown instrument " + id));
  }
}
