package io.sensorfleet.actors.user;

import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.JsonSerializable;
import io.sensorfleet.core.access.Role;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * Fleet Management's local users (persistence id {@value #PERSISTENCE_ID}): name, role, per-Instrument UI grants and
 * an Argon2id password hash computed by the caller (hashing is slow on purpose, so it never runs in this actor).
 * Every change is an event in the same journal as everything else, and is audited; hashes never reach the audit
 * log. There is always at least one admin: removing or demoting the last one is refused.
 */
public final class UserDirectory
    extends EventSourcedBehaviorWithEnforcedReplies<UserDirectory.Command, UserDirectory.Event, UserDirectory.State> {

  public static final String PERSISTENCE_ID = "user-directory";
  /** The user the first start creates. */
  public static final String FIRST_ADMIN = "admin";

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  public sealed interface Command extends JsonSerializable {}

  /** Creates a user; replies the user, or an error when the name is taken or invalid. */
  public record Create(String name, String passwordHash, Role role, Set<InstrumentId> uiGrants, Principal by,
                       ActorRef<StatusReply<User>> replyTo) implements Command {}

  /** Changes a user's role and/or UI grants (absent: unchanged); replies the user. */
  public record Update(String name, Optional<Role> role, Optional<Set<InstrumentId>> uiGrants, Principal by,
                       ActorRef<StatusReply<User>> replyTo) implements Command {}

  /** Replaces a user's password hash; replies the user. */
  public record SetPassword(String name, String passwordHash, Principal by, ActorRef<StatusReply<User>> replyTo)
      implements Command {}

  /** Deletes a user; replies done, or an error for an unknown user or the last admin. */
  public record Delete(String name, Principal by, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** One user, if known. */
  public record Get(String name, ActorRef<Optional<User>> replyTo) implements Command {}

  /** Every user, by name. */
  public record GetAll(ActorRef<Users> replyTo) implements Command {}

  /** The reply to {@link GetAll}: every user, sorted by name. */
  public record Users(List<User> users) implements JsonSerializable {}

  /**
   * Creates {@value #FIRST_ADMIN} with {@code passwordHash} when there is no user at all (the sensor's first start);
   * replies whether it did, so the caller prints the password only then.
   */
  public record EnsureAdmin(String passwordHash, ActorRef<Boolean> replyTo) implements Command {}

  /** A user as stored. {@link #toString()} leaves the hash out, so logging a user never logs it. */
  public record User(String name, String passwordHash, Role role, Set<InstrumentId> uiGrants, Instant createdAt,
                     Instant changedAt) implements JsonSerializable {
    public User {
      uiGrants = Collections.unmodifiableSortedSet(new TreeSet<>(uiGrants));
    }

    public Principal principal() {
      return Principal.user(name);
    }

    @Override
    public String toString() {
      return "User[" + name + ", " + role.wire() + ", grants " + uiGrants + "]";
    }
  }

  public sealed interface Event extends JsonSerializable {}

  public record UserCreated(String name, String passwordHash, Role role, Set<InstrumentId> uiGrants, Instant at,
                            Principal by) implements Event {
    @Override
    public String toString() {
      return "UserCreated[" + name + ", " + role.wire() + "]";
    }
  }

  public record RoleChanged(String name, Role role, Instant at, Principal by) implements Event {}

  public record GrantsChanged(String name, Set<InstrumentId> uiGrants, Instant at, Principal by) implements Event {}

  public record PasswordChanged(String name, String passwordHash, Instant at, Principal by) implements Event {
    @Override
    public String toString() {
      return "PasswordChanged[" + name + "]";
    }
  }

  public record UserDeleted(String name, Instant at, Principal by) implements Event {}

  /** Users by name. */
  public record State(SortedMap<String, User> users) implements JsonSerializable {
    public State {
      users = Collections.unmodifiableSortedMap(new TreeMap<>(users));
    }

    State with(User user) {
      var next = new TreeMap<>(users);
      next.put(user.name(), user);
      return new State(next);
    }

    State without(String name) {
      var next = new TreeMap<>(users);
      next.remove(name);
      return new State(next);
    }

    long admins() {
      return users.values().stream().filter(u -> u.role() == Role.ADMIN).count();
    }
  }

  private final ActorContext<Command> ctx;
  private final ActorRef<AuditLog.Command> audit;
  private final Clock clock;

  /**
   * Spawned once by the {@code SensorGuardian}.
   *
   * @param audit where user changes are recorded
   * @param clock stamps events
   */
  public static Behavior<Command> create(ActorRef<AuditLog.Command> audit, Clock clock) {
    return Behaviors.setup(ctx -> new UserDirectory(ctx, audit, clock));
  }

  private UserDirectory(ActorContext<Command> ctx, ActorRef<AuditLog.Command> audit, Clock clock) {
    super(PersistenceId.ofUniqueId(PERSISTENCE_ID),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.ctx = ctx;
    this.audit = Objects.requireNonNull(audit, "audit");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** True when {@code name} is a valid user name: 1 to 64 of a-z, 0-9, '.', '_', '-', starting alphanumeric. */
  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  @Override
  public State emptyState() {
    return new State(new TreeMap<>());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Create.class, this::onCreate)
        .onCommand(Update.class, this::onUpdate)
        .onCommand(SetPassword.class, this::onSetPassword)
        .onCommand(Delete.class, this::onDelete)
        .onCommand(Get.class, (state, c) -> Effect().reply(c.replyTo(), Optional.ofNullable(state.users().get(c.name()))))
        .onCommand(GetAll.class, (state, c) -> Effect().reply(c.replyTo(), new Users(List.copyOf(state.users().values()))))
        .onCommand(EnsureAdmin.class, this::onEnsureAdmin)
        .build();
  }

  private ReplyEffect<Event, State> onCreate(State state, Create c) {
    if (!isValidName(c.name())) {
      return Effect().reply(c.replyTo(), StatusReply.error("invalid user name '" + c.name()
          + "': use 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit"));
    }
    if (state.users().containsKey(c.name())) {
      return Effect().reply(c.replyTo(), StatusReply.error("user " + c.name() + " already exists"));
    }
    var event = new UserCreated(c.name(), c.passwordHash(), c.role(), c.uiGrants(), now(), c.by());
    return Effect().persist(event).thenRun(s -> audit(c.by(), "user created", c.name(), "role " + c.role().wire()
            + grants(c.uiGrants())))
        .thenReply(c.replyTo(), s -> StatusReply.success(s.users().get(c.name())));
  }

  private ReplyEffect<Event, State> onUpdate(State state, Update c) {
    User user = state.users().get(c.name());
    if (user == null) {
      return Effect().reply(c.replyTo(), StatusReply.error(unknown(c.name())));
    }
    boolean demotesLastAdmin = user.role() == Role.ADMIN && c.role().filter(r -> r != Role.ADMIN).isPresent()
        && state.admins() == 1;
    if (demotesLastAdmin) {
      return Effect().reply(c.replyTo(), StatusReply.error("user " + c.name() + " is the last admin"));
    }
    Instant at = now();
    List<Event> events = new java.util.ArrayList<>();
    c.role().filter(r -> r != user.role()).ifPresent(r -> events.add(new RoleChanged(c.name(), r, at, c.by())));
    c.uiGrants().filter(g -> !g.equals(user.uiGrants()))
        .ifPresent(g -> events.add(new GrantsChanged(c.name(), g, at, c.by())));
    if (events.isEmpty()) {
      return Effect().reply(c.replyTo(), StatusReply.success(user));
    }
    return Effect().persist(events).thenRun(s -> events.forEach(e -> audit(c.by(), switch (e) {
          case RoleChanged r -> "user role changed";
          default -> "user grants changed";
        }, c.name(), switch (e) {
          case RoleChanged r -> "role " + r.role().wire();
          case GrantsChanged g -> grants(g.uiGrants()).strip();
          default -> "";
        })))
        .thenReply(c.replyTo(), s -> StatusReply.success(s.users().get(c.name())));
  }

  private ReplyEffect<Event, State> onSetPassword(State state, SetPassword c) {
    if (!state.users().containsKey(c.name())) {
      return Effect().reply(c.replyTo(), StatusReply.error(unknown(c.name())));
    }
    return Effect().persist(new PasswordChanged(c.name(), c.passwordHash(), now(), c.by()))
        .thenRun(s -> audit(c.by(), "user password changed", c.name(), ""))
        .thenReply(c.replyTo(), s -> StatusReply.success(s.users().get(c.name())));
  }

  private ReplyEffect<Event, State> onDelete(State state, Delete c) {
    User user = state.users().get(c.name());
    if (user == null) {
      return Effect().reply(c.replyTo(), StatusReply.error(unknown(c.name())));
    }
    if (user.role() == Role.ADMIN && state.admins() == 1) {
      return Effect().reply(c.replyTo(), StatusReply.error("user " + c.name() + " is the last admin"));
    }
    return Effect().persist(new UserDeleted(c.name(), now(), c.by()))
        .thenRun(s -> audit(c.by(), "user deleted", c.name(), ""))
        .thenReply(c.replyTo(), s -> StatusReply.success(Done.getInstance()));
  }

  private ReplyEffect<Event, State> onEnsureAdmin(State state, EnsureAdmin c) {
    if (!state.users().isEmpty()) {
      return Effect().reply(c.replyTo(), false);
    }
    Principal platform = Principal.platform();
    return Effect().persist(new UserCreated(FIRST_ADMIN, c.passwordHash(), Role.ADMIN, Set.of(), now(), platform))
        .thenRun(s -> audit(platform, "user created", FIRST_ADMIN, "role admin (first start)"))
        .thenReply(c.replyTo(), s -> true);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(UserCreated.class, (state, e) -> state.with(new User(e.name(), e.passwordHash(), e.role(),
            e.uiGrants(), e.at(), e.at())))
        .onEvent(RoleChanged.class, (state, e) -> state.with(change(state, e.name(), u -> new User(u.name(),
            u.passwordHash(), e.role(), u.uiGrants(), u.createdAt(), e.at()))))
        .onEvent(GrantsChanged.class, (state, e) -> state.with(change(state, e.name(), u -> new User(u.name(),
            u.passwordHash(), u.role(), e.uiGrants(), u.createdAt(), e.at()))))
        .onEvent(PasswordChanged.class, (state, e) -> state.with(change(state, e.name(), u -> new User(u.name(),
            e.passwordHash(), u.role(), u.uiGrants(), u.createdAt(), e.at()))))
        .onEvent(UserDeleted.class, (state, e) -> state.without(e.name()))
        .build();
  }

  private static User change(State state, String name, java.util.function.UnaryOperator<User> f) {
    return f.apply(state.users().get(name));
  }

  private Instant now() {
    return clock.instant();
  }

  private static String unknown(String name) {
    return "unknown user " + name;
  }

  private static String grants(Set<InstrumentId> grants) {
    return grants.isEmpty() ? "" : ", UI grants " + new TreeSet<>(grants);
  }

  private void audit(Principal by, String action, String user, String detail) {
    audit.tell(new AuditLog.Record(AuditRequest.of(by, action, AuditKind.ACCESS, Outcome.OK, detail)
        .withTarget("user:" + user), ctx.getSystem().ignoreRef()));
  }
}
