package io.sensorfleet.http;

import io.sensorfleet.actors.SensorGuardian;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.actors.instrument.InstrumentJournal.ConfigVersion;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.InstrumentManifest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.pattern.StatusReply;

/**
 * The {@link Fleet} of a running sensor: asks the Instrument registry through the guardian, and follows the
 * registry's status Topic ({@link InstrumentRegistry#STATUS_TOPIC}) for {@link #live()}. Queries are bounded by
 * the ask timeout, lifecycle commands (containers, hello) by {@code sensor.http.lifecycle-timeout}.
 */
public final class GuardianFleet implements Fleet {

  /** Status changes a live reader may fall behind by before the oldest are dropped. */
  static final int LIVE_BUFFER = 1_000;

  private final ActorSystem<SensorGuardian.Command> system;
  private final Duration askTimeout;
  private final Duration lifecycleTimeout;
  private final ActorRef<Topic.Command<InstrumentRegistry.StatusPublished>> statusTopic;

  public GuardianFleet(ActorSystem<SensorGuardian.Command> system, Duration askTimeout, Duration lifecycleTimeout) {
    this.system = system;
    this.askTimeout = askTimeout;
    this.lifecycleTimeout = lifecycleTimeout;
    // A Topic instance of our own with the registry's name: instances of one name find each other (receptionist).
    this.statusTopic = system.systemActorOf(Topic.create(InstrumentRegistry.StatusPublished.class,
        InstrumentRegistry.STATUS_TOPIC), "http-instrument-status", Props.empty());
  }

  @Override
  public Source<Instrument.Status, NotUsed> live() {
    return ActorSource.<InstrumentRegistry.StatusPublished>actorRef(m -> false, m -> Optional.empty(),
            LIVE_BUFFER, OverflowStrategy.dropHead())
        .mapMaterializedValue(ref -> {
          statusTopic.tell(Topic.subscribe(ref));
          return ref;
        })
        .watchTermination((ref, done) -> {
          done.whenComplete((ok, failure) -> statusTopic.tell(Topic.unsubscribe(ref)));
          return NotUsed.getInstance();
        })
        .map(InstrumentRegistry.StatusPublished::status);
  }

  @Override
  public CompletionStage<List<Instrument.Status>> list() {
    return AskPattern.ask(system, SensorGuardian.GetInstruments::new, askTimeout, system.scheduler());
  }

  @Override
  public CompletionStage<Instrument.Status> install(InstrumentManifest manifest, Principal by) {
    return lifecycle(r -> new InstrumentRegistry.Install(manifest, by, r));
  }

  @Override
  public CompletionStage<Instrument.Status> start(InstrumentId id, Principal by) {
    return lifecycle(r -> new InstrumentRegistry.Start(id, by, r));
  }

  @Override
  public CompletionStage<Instrument.Status> stop(InstrumentId id, Principal by) {
    return lifecycle(r -> new InstrumentRegistry.Stop(id, by, r));
  }

  @Override
  public CompletionStage<Instrument.Status> remove(InstrumentId id, boolean purge, Principal by) {
    return lifecycle(r -> new InstrumentRegistry.Remove(id, purge, by, r));
  }

  @Override
  public CompletionStage<Instrument.Status> setRetention(InstrumentId id, Duration retention, Principal by) {
    return ask(r -> new InstrumentRegistry.SetRetention(id, retention, by, r), askTimeout);
  }

  @Override
  public CompletionStage<ConfigVersion> setConfig(InstrumentId id, String json, Principal by) {
    return ask(r -> new InstrumentRegistry.SetConfig(id, json, by, r), askTimeout);
  }

  @Override
  public CompletionStage<ConfigVersion> rollbackConfig(InstrumentId id, long version, Principal by) {
    return ask(r -> new InstrumentRegistry.RollbackConfig(id, version, by, r), askTimeout);
  }

  @Override
  public CompletionStage<List<ConfigVersion>> configHistory(InstrumentId id) {
    return ask(r -> new InstrumentRegistry.GetConfigHistory(id, r), askTimeout);
  }

  private CompletionStage<Instrument.Status> lifecycle(
      Function<ActorRef<StatusReply<Instrument.Status>>, InstrumentRegistry.Command> command) {
    return ask(command, lifecycleTimeout);
  }

  private <T> CompletionStage<T> ask(Function<ActorRef<StatusReply<T>>, InstrumentRegistry.Command> command,
      Duration timeout) {
    return AskPattern.<SensorGuardian.Command, T>askWithStatus(system,
            r -> new SensorGuardian.ToInstruments(command.apply(r)), timeout, system.scheduler())
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(classify(e)));
  }

  /** The registry's and the Instrument's refusals are plain messages: unknown ids are 404, the rest 409. */
  static Throwable classify(Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (!(e instanceof StatusReply.ErrorMessage)) {
      return e;
    }
    String message = e.getMessage();
    if (message.startsWith("unknown instrument") || message.endsWith(": not installed")
        || message.contains(": no configuration version")) {
      return new ApiException.NotFound(message);
    }
    return new ApiException.Conflict(message);
  }
}
