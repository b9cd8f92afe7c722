package io.sensorfleet.http;

import io.sensorfleet.actors.SensorGuardian;
import io.sensorfleet.actors.bus.PermissionGate;
import io.sensorfleet.actors.bus.PolicyStore;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.permission.Action;
import io.sensorfleet.core.permission.Decision;
import io.sensorfleet.core.permission.PermissionPolicy;
import io.sensorfleet.events.UserEvent;
import io.sensorfleet.events.UserEventFilter;
import io.sensorfleet.events.UserEventStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/** The sensor's {@link Bus}: asks through the guardian, reads the user-event table, follows the live Topic. */
public final class GuardianBus implements Bus {

  /** Events a live reader may fall behind by before the oldest are dropped. */
  static final int LIVE_BUFFER = 1_000;

  private final ActorSystem<SensorGuardian.Command> system;
  private final Duration askTimeout;
  private final UserEventStore store;
  private final ActorRef<Topic.Command<PermissionGate.UsersEvent>> usersTopic;

  public GuardianBus(ActorSystem<SensorGuardian.Command> system, Duration askTimeout) {
    this.system = system;
    this.askTimeout = askTimeout;
    this.store = UserEventStore.create(system);
    // A Topic instance of our own with the gate's name: instances of one name find each other (receptionist).
    this.usersTopic = system.systemActorOf(Topic.create(PermissionGate.UsersEvent.class,
        PermissionGate.USERS_TOPIC), "http-users-events", Props.empty());
  }

  @Override
  public CompletionStage<PolicyStore.State> policy() {
    return AskPattern.ask(system, r -> new SensorGuardian.ToPolicy(new PolicyStore.Get(r)), askTimeout,
        system.scheduler());
  }

  @Override
  public CompletionStage<PolicyStore.State> replacePolicy(PermissionPolicy policy, long expectedVersion,
      Principal by) {
    return AskPattern.<SensorGuardian.Command, PolicyStore.State>askWithStatus(system,
            r -> new SensorGuardian.ToPolicy(new PolicyStore.Replace(policy, expectedVersion, by, r)), askTimeout,
            system.scheduler())
        .exceptionallyCompose(error -> {
          Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
          return CompletableFuture.failedFuture(e instanceof StatusReply.ErrorMessage
              ? new ApiException.Conflict(e.getMessage()) : e);
        });
  }

  @Override
  public CompletionStage<Decision> check(InstrumentId from, String object, Action action) {
    return AskPattern.ask(system, r -> new SensorGuardian.ToBus(new PermissionGate.Check(from, object, action, r)),
        askTimeout, system.scheduler());
  }

  @Override
  public CompletionStage<List<UserEvent>> events(UserEventFilter filter) {
    return store.query(filter);
  }

  @Override
  public Source<UserEvent, NotUsed> live() {
    return ActorSource.<PermissionGate.UsersEvent>actorRef(m -> false, m -> Optional.empty(),
            LIVE_BUFFER, OverflowStrategy.dropHead())
        .mapMaterializedValue(ref -> {
          usersTopic.tell(Topic.subscribe(ref));
          return ref;
        })
        .watchTermination((ref, done) -> {
          done.whenComplete((ok, failure) -> usersTopic.tell(Topic.unsubscribe(ref)));
          return NotUsed.getInstance();
        })
        .map(PermissionGate.UsersEvent::event);
  }
}
