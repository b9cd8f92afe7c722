package io.sensorfleet.http.auth;

import io.sensorfleet.actors.SensorGuardian;
import io.sensorfleet.actors.user.UserDirectory;
import io.sensorfleet.actors.user.UserDirectory.User;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Role;
import io.sensorfleet.http.ApiException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;

/**
 * The routes' view of the {@link UserDirectory}: every ask bounded by the ask timeout, errors turned into
 * {@link ApiException}s (unknown user 404, anything else the directory refuses 409).
 */
public final class UserStore {

  /** One bounded ask of the directory, however it is reached. */
  private interface Asker {
    <R> CompletionStage<R> ask(Function<ActorRef<R>, UserDirectory.Command> command);
  }

  private final Asker asker;

  private <T> UserStore(RecipientRef<T> target, Function<UserDirectory.Command, T> wrap, Duration timeout,
      Scheduler scheduler) {
    this.asker = new Asker() {
      @Override
      public <R> CompletionStage<R> ask(Function<ActorRef<R>, UserDirectory.Command> command) {
        return AskPattern.<T, R>ask(target, replyTo -> wrap.apply(command.apply(replyTo)), timeout, scheduler);
      }
    };
  }

  /** Through the sensor's guardian. */
  public static UserStore viaGuardian(RecipientRef<SensorGuardian.Command> guardian, Duration timeout,
      Scheduler scheduler) {
    return new UserStore(guardian, SensorGuardian.ToUsers::new, timeout, scheduler);
  }

  /** Straight to a directory (tests). */
  public static UserStore of(RecipientRef<UserDirectory.Command> directory, Duration timeout, Scheduler scheduler) {
    return new UserStore(directory, c -> c, timeout, scheduler);
  }

  public CompletionStage<Optional<User>> get(String name) {
    return this.<Optional<User>>raw(r -> new UserDirectory.Get(name, r));
  }

  public CompletionStage<List<User>> all() {
    return this.<UserDirectory.Users>raw(UserDirectory.GetAll::new).thenApply(UserDirectory.Users::users);
  }

  public CompletionStage<User> create(String name, String hash, Role role, Set<InstrumentId> grants, Principal by) {
    return withStatus(r -> new UserDirectory.Create(name, hash, role, grants, by, r));
  }

  public CompletionStage<User> update(String name, Optional<Role> role, Optional<Set<InstrumentId>> grants,
      Principal by) {
    return withStatus(r -> new UserDirectory.Update(name, role, grants, by, r));
  }

  public CompletionStage<User> setPassword(String name, String hash, Principal by) {
    return withStatus(r -> new UserDirectory.SetPassword(name, hash, by, r));
  }

  public CompletionStage<Done> delete(String name, Principal by) {
    return withStatus(r -> new UserDirectory.Delete(name, by, r));
  }

  /** Creates {@code admin} on the first start; true when it did. */
  public CompletionStage<Boolean> ensureAdmin(String hash) {
    return raw(r -> new UserDirectory.EnsureAdmin(hash, r));
  }

  private <R> CompletionStage<R> raw(Function<ActorRef<R>, UserDirectory.Command> command) {
    return asker.ask(command);
  }

  private <R> CompletionStage<R> withStatus(Function<ActorRef<StatusReply<R>>, UserDirectory.Command> command) {
    return this.<StatusReply<R>>raw(command).thenApply(reply -> {
      if (reply.isSuccess()) {
        return reply.getValue();
      }
      String message = reply.getError().getMessage();
      throw message.startsWith("unknown user") ? new ApiException.NotFound(message)
          : new ApiException.Conflict(message);
    });
  }
}
