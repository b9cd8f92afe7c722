package io.sensorfleet.http;

import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.actors.instrument.InstrumentJournal.ConfigVersion;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.InstrumentManifest;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * What the Instrument routes ask of the sensor. Failures are {@link ApiException}s (unknown Instrument or version
 * 404, refused by its state 409) or timeouts (503); {@link GuardianFleet} is the sensor's, tests pass fakes.
 */
public interface Fleet {

  CompletionStage<List<Instrument.Status>> list();

  CompletionStage<Instrument.Status> install(InstrumentManifest manifest, Principal by);

  CompletionStage<Instrument.Status> start(InstrumentId id, Principal by);

  CompletionStage<Instrument.Status> stop(InstrumentId id, Principal by);

  CompletionStage<Instrument.Status> remove(InstrumentId id, boolean purge, Principal by);

  /** Sets how long the Instrument keeps data (its manifest's retention), from its next retention round on. */
  CompletionStage<Instrument.Status> setRetention(InstrumentId id, java.time.Duration retention, Principal by);

  CompletionStage<ConfigVersion> setConfig(InstrumentId id, String json, Principal by);

  CompletionStage<ConfigVersion> rollbackConfig(InstrumentId id, long version, Principal by);

  CompletionStage<List<ConfigVersion>> configHistory(InstrumentId id);

  /**
   * Each Instrument's status as it changes, from now on (a slow reader loses the oldest, never blocks); a reader
   * combines it with {@link #list()} for the whole picture.
   */
  Source<Instrument.Status, NotUsed> live();
}
