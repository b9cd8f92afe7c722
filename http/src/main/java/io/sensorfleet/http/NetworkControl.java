package io.sensorfleet.http;

import io.sensorfleet.actors.SensorGuardian;
import io.sensorfleet.actors.network.NetworkStore;
import io.sensorfleet.audit.Principal;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;

/**
 * What the network routes ask of the sensor: the allowlist in force, and an admin's change to it. {@link #of} is
 * the sensor's (the guardian's {@link NetworkStore}); tests pass fakes.
 */
public interface NetworkControl {

  CompletionStage<NetworkStore.State> current();

  /** Fails with {@link ApiException.BadRequest} when the store refuses the lists. */
  CompletionStage<NetworkStore.State> set(Set<String> bridges, Set<String> dedicatedInterfaces, Principal by);

  /** Through the sensor's guardian. */
  static NetworkControl of(ActorSystem<SensorGuardian.Command> system, Duration askTimeout) {
    return of(system, SensorGuardian.ToNetwork::new, askTimeout, system.scheduler());
  }

  /** Straight to a {@link NetworkStore} (tests). */
  static NetworkControl of(ActorRef<NetworkStore.Command> store, Duration askTimeout, Scheduler scheduler) {
    return of(store, command -> command, askTimeout, scheduler);
  }

  private static <T> NetworkControl of(RecipientRef<T> to, Function<NetworkStore.Command, T> wrap,
      Duration askTimeout, Scheduler scheduler) {
    return new NetworkControl() {
      @Override
      public CompletionStage<NetworkStore.State> current() {
        return AskPattern.ask(to, r -> wrap.apply(new NetworkStore.Get(r)), askTimeout, scheduler);
      }

      @Override
      public CompletionStage<NetworkStore.State> set(Set<String> bridges, Set<String> dedicated, Principal by) {
        return AskPattern.<T, NetworkStore.State>askWithStatus(to,
                r -> wrap.apply(new NetworkStore.Replace(bridges, dedicated, by, r)), askTimeout, scheduler)
            .exceptionallyCompose(e -> {
              Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
              return CompletableFuture.failedFuture(cause instanceof StatusReply.ErrorMessage refused
                  ? new ApiException.BadRequest("invalid-network", refused.getMessage(), java.util.List.of())
                  : cause);
            });
      }
    };
  }
}
