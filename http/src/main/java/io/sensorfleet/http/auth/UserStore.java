package io.sensorfleet.http.auth;

import io.sensorfleet.actors.SensorGuardian;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import java.util.concurrent.CompletableFuture;
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
import java.util.function.Supplier;
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
  private final Function<AuditRequest, CompletionStage<?>> auditFirst;
  // Shared with the copies made by auditedFirst: every change, through whichever copy, empties it.
  private final UserCache cache;

  private UserStore(Asker asker, Function<AuditRequest, CompletionStage<?>> auditFirst, UserCache cache) {
    this.asker = asker;
    this.auditFirst = auditFirst;
    this.cache = cache;
  }

  private <T> UserStore(RecipientRef<T> target, Function<UserDirectory.Command, T> wrap, Duration timeout,
      Scheduler scheduler) {
    this.asker = new Asker() {
      @Override
      public <R> CompletionStage<R> ask(Function<ActorRef<R>, UserDirectory.Command> command) {
        return AskPattern.<T, R>ask(target, replyTo -> wrap.apply(command.apply(replyTo)), timeout, scheduler);
      }
    };
    this.auditFirst = request -> CompletableFuture.completedFuture(null);
    this.cache = new UserCache();
  }

  /**
   * This store, recording each change as {@code user create requested} (and so on) with {@code audit} before the
   * directory sees it: when the journal cannot be written the change fails (503) without reaching the directory,
   * which then keeps answering every request's user lookup from memory instead of restarting on a failed write.
   */
  public UserStore auditedFirst(Function<AuditRequest, CompletionStage<?>> audit) {
    return new UserStore(asker, audit, cache);
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

  /** The user called {@code name}, if any: answered from {@link UserCache} when it can be (every request asks). */
  public CompletionStage<Optional<User>> get(String name) {
    Optional<User> kept = cache.find(name);
    if (kept != null) {
      return CompletableFuture.completedFuture(kept);
    }
    long askedAt = cache.generation();
    return this.<Optional<User>>raw(r -> new UserDirectory.Get(name, r)).thenApply(user -> {
      cache.keep(name, user, askedAt);
      return user;
    });
  }

  public CompletionStage<List<User>> all() {
    return this.<UserDirectory.Users>raw(UserDirectory.GetAll::new).thenApply(UserDirectory.Users::users);
  }

  public CompletionStage<User> create(String name, String hash, Role role, Set<InstrumentId> grants, Principal by) {
    return requested(by, "user create", name)
        .thenCompose(v -> changing(() -> withStatus(r -> new UserDirectory.Create(name, hash, role, grants, by, r))));
  }

  public CompletionStage<User> update(String name, Optional<Role> role, Optional<Set<InstrumentId>> grants,
      Principal by) {
    return requested(by, "user update", name)
        .thenCompose(v -> changing(() -> withStatus(r -> new UserDirectory.Update(name, role, grants, by, r))));
  }

  public CompletionStage<User> setPassword(String name, String hash, Principal by) {
    return requested(by, "password change", name)
        .thenCompose(v -> changing(() -> withStatus(r -> new UserDirectory.SetPassword(name, hash, by, r))));
  }

  public CompletionStage<Done> delete(String name, Principal by) {
    return requested(by, "user delete", name)
        .thenCompose(v -> changing(() -> withStatus(r -> new UserDirectory.Delete(name, by, r))));
  }

  /** Creates {@code admin} on the first start; true when it did. */
  public CompletionStage<Boolean> ensureAdmin(String hash) {
    return changing(() -> raw(r -> new UserDirectory.EnsureAdmin(hash, r)));
  }

  /** The record of a change asked for, never its password or hash: only who, what and whose. */
  private CompletionStage<?> requested(Principal by, String action, String user) {
    return auditFirst.apply(AuditRequest.of(by, action + " requested", AuditKind.ACCESS, Outcome.OK, "user " + user));
  }

  /** A change of the directory: the cache is emptied before it is asked for and again once it is answered. */
  private <R> CompletionStage<R> changing(Supplier<CompletionStage<R>> change) {
    cache.changed();
    return change.get().whenComplete((r, e) -> cache.changed());
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
