package io.sensorfleet.actors.bus;

import io.sensorfleet.actors.channel.InstrumentChannel;
import io.sensorfleet.audit.AuditEntry;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.permission.Action;
import io.sensorfleet.core.permission.Decision;
import io.sensorfleet.core.permission.PermissionPolicy;
import io.sensorfleet.core.protocol.Audience;
import io.sensorfleet.core.protocol.ErrorCode;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.protocol.Topic;
import io.sensorfleet.events.UserEvent;
import io.sensorfleet.events.UserEventLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

/**
 * The bus: every {@code send}, {@code publish} and {@code subscribe} an Instrument makes comes here, stamped by its
 * {@link InstrumentChannel} with the Instrument the socket belongs to (never a name from the frame), and is checked
 * against the operator's {@link PermissionPolicy} (held by {@link PolicyStore}, which tells this actor every new
 * version). Allowed: delivered. Denied: an {@code error not-permitted} to the sender and a {@code message denied}
 * audit record (sender, recipient or topic, reason; never the payload), at most one per sender, action and object
 * per {@link #DENIAL_WINDOW} with a count of the ones in between.
 *
 * <ul>
 *   <li>Direct messages go to the recipient's channel only (at most once; {@code ack} once handed over).
 *   <li>Events for audience {@code instruments} go through a Pekko Typed {@code Topic} per topic, whose subscribers
 *       are the permitted Instruments' channels (so they work unchanged across a Pekko Cluster); events for audience
 *       {@code users} are stored by {@link UserEventLog} and offered live to {@link #USERS_TOPIC}'s subscribers.
 *   <li>A policy change takes effect at once: revoked subscriptions are unsubscribed (the Instrument gets an error
 *       saying so) before any later event, and every later send is checked against the new policy.
 *   <li>Slow receivers never block anyone: each channel's outbound queue is bounded and drops its oldest frames.
 * </ul>
 *
 * <p>Until the policy store has recovered, frames wait in a stash (default deny applies only to a known policy).
 */
public final class PermissionGate extends AbstractBehavior<PermissionGate.Command> {

  /** Audit action of a refused send, publish or subscribe. */
  public static final String AUDIT_DENIED = "message denied";
  /** Audit action of a subscription ended by a policy change. */
  public static final String AUDIT_SUBSCRIPTION_REVOKED = "subscription revoked";
  /** At most one denial record per sender, action and object within this window. */
  public static final Duration DENIAL_WINDOW = Duration.ofSeconds(10);
  /**
   * The Topic name of {@code users}-audience events, for live viewers (the API's event stream): spawn a
   * {@code Topic.create(UsersEvent.class, USERS_TOPIC)} of your own and subscribe to it; Topic instances of one name
   * find each other through the receptionist, on this node and across a cluster.
   */
  public static final String USERS_TOPIC = "sf-users-events";
  /**
   * The platform's own address on the bus. A {@code send} to it goes to the {@link #SetPlatformInbox platform
   * inbox} (the resource distributor) without a policy check: every Instrument may talk to the platform, which
   * judges what it hears. Frames the platform sends an Instrument ({@link ToInstrument}) come {@code from} it. No
   * Instrument can be installed under this id.
   */
  public static final InstrumentId PLATFORM = InstrumentId.of("platform");

  private static final int STASH = 10_000;
  private static final int MAX_DENIAL_KEYS = 10_000;

  public sealed interface Command {}

  /** From a channel: its Instrument completed a handshake; frames for it go to {@code channel} from now on. */
  public record Attach(InstrumentId instrument, ActorRef<InstrumentChannel.Command> channel) implements Command {}

  /** From a channel: its connection is over; the Instrument's subscriptions end (the SDK subscribes again). */
  public record Detach(InstrumentId instrument, ActorRef<InstrumentChannel.Command> channel) implements Command {}

  /**
   * From a channel: bus frames ({@code send}, {@code publish}, {@code subscribe}, {@code unsubscribe}) of
   * {@code from}, the Instrument of the socket they arrived on, in order (one message for all the frames of one
   * read, so a busy bus costs an actor message per batch, not per frame). Answers go to {@code channel}.
   */
  public record FromInstrument(InstrumentId from, List<Frame> frames, ActorRef<InstrumentChannel.Command> channel)
      implements Command {
    public FromInstrument {
      frames = List.copyOf(frames);
    }

    public FromInstrument(InstrumentId from, Frame frame, ActorRef<InstrumentChannel.Command> channel) {
      this(from, List.of(frame), channel);
    }
  }

  /**
   * From the platform (the resource distributor): hand {@code frame} to {@code to}'s connection. Replies whether
   * {@code to} was attached (false: nothing was sent).
   */
  public record ToInstrument(InstrumentId to, Frame frame, ActorRef<Boolean> replyTo) implements Command {}

  /** Where {@code send}s to {@link #PLATFORM} go from now on (one inbox; a later one replaces it). */
  public record SetPlatformInbox(ActorRef<ToPlatform> inbox) implements Command {}

  /** A direct message an Instrument sent to {@link #PLATFORM}, {@code from} stamped from its socket. */
  public record ToPlatform(InstrumentId from, RawJson payload) {}

  /** From the {@link PolicyStore}: the policy now in force. */
  public record PolicyChanged(PermissionPolicy policy) implements Command {}

  /** What the policy in force says about {@code from} doing {@code action} on {@code object}. */
  public record Check(InstrumentId from, String object, Action action, ActorRef<Decision> replyTo)
      implements Command {}

  /** Counters since start, and who is subscribed to what. */
  public record GetStats(ActorRef<Stats> replyTo) implements Command {}

  public record Stats(long delivered, long published, long userEvents, long denied, long undeliverable,
                      Map<InstrumentId, Set<Topic>> subscriptions) {}

  /** The live feed of {@code users} events. */
  public record UsersEvent(UserEvent event) {}

  private record Denials(Instant since, long suppressed) {}

  private final ActorRef<AuditLog.Command> audit;
  private final ActorRef<UserEventLog.Command> userEvents;
  private final ActorRef<org.apache.pekko.actor.typed.pubsub.Topic.Command<UsersEvent>> usersTopic;
  private final Clock clock;
  private final StashBuffer<Command> stash;
  private final ActorRef<AuditEntry> noReply;
  private PermissionPolicy policy = PermissionPolicy.empty();
  private Optional<ActorRef<ToPlatform>> platformInbox = Optional.empty();
  private final Map<InstrumentId, ActorRef<InstrumentChannel.Command>> attached = new HashMap<>();
  private final Map<InstrumentId, Set<Topic>> subscriptions = new HashMap<>();
  private final Map<Topic, ActorRef<org.apache.pekko.actor.typed.pubsub.Topic.Command<InstrumentChannel.Command>>>
      topics = new HashMap<>();
  private final Map<String, Denials> denials = new HashMap<>();
  private final Map<ActorRef<InstrumentChannel.Command>, List<Frame>> outbox = new LinkedHashMap<>();
  private final Map<Topic, List<Frame>> topicOutbox = new LinkedHashMap<>();
  private long delivered;
  private long published;
  private long usersPublished;
  private long denied;
  private long undeliverable;

  public static Behavior<Command> create(ActorRef<AuditLog.Command> audit, ActorRef<UserEventLog.Command> userEvents,
                                         Clock clock) {
    return Behaviors.withStash(STASH, stash -> Behaviors.setup(ctx ->
        new PermissionGate(ctx, audit, userEvents, clock, stash).recovering()));
  }

  private PermissionGate(ActorContext<Command> ctx, ActorRef<AuditLog.Command> audit,
                         ActorRef<UserEventLog.Command> userEvents, Clock clock, StashBuffer<Command> stash) {
    super(ctx);
    this.audit = audit;
    this.userEvents = userEvents;
    this.clock = clock;
    this.stash = stash;
    this.noReply = ctx.getSystem().ignoreRef();
    this.usersTopic = ctx.spawn(org.apache.pekko.actor.typed.pubsub.Topic.create(UsersEvent.class, USERS_TOPIC),
        "users-events");
  }

  private Behavior<Command> recovering() {
    return Behaviors.receive(Command.class)
        .onMessage(PolicyChanged.class, changed -> {
          policy = changed.policy();
          return stash.unstashAll(this);
        })
        .onAnyMessage(command -> {
          if (stash.isFull()) {
            getContext().getLog().warn("bus: still waiting for the policy; dropped {}",
                command.getClass().getSimpleName());
          } else {
            stash.stash(command);
          }
          return Behaviors.same();
        })
        .build();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FromInstrument.class, this::onFromInstrument)
        .onMessage(Attach.class, this::onAttach)
        .onMessage(Detach.class, this::onDetach)
        .onMessage(PolicyChanged.class, this::onPolicyChanged)
        .onMessage(Check.class, this::onCheck)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessage(ToInstrument.class, this::onToInstrument)
        .onMessage(SetPlatformInbox.class, this::onSetPlatformInbox)
        .build();
  }

  private Behavior<Command> onFromInstrument(FromInstrument in) {
    for (Frame frame : in.frames()) {
      switch (frame) {
        case Frame.Send send -> onSend(in.from(), send, in.channel());
        case Frame.Publish publish -> onPublish(in.from(), publish, in.channel());
        case Frame.Subscribe subscribe -> onSubscribe(in.from(), subscribe, in.channel());
        case Frame.Unsubscribe unsubscribe -> onUnsubscribe(in.from(), unsubscribe, in.channel());
        default -> answer(in.channel(), Frame.Error.of(ErrorCode.UNEXPECTED_FRAME,
            "'" + frame.type().wireName() + "' is not a bus frame", frame.correlationId()));
      }
    }
    sendOutbox();
    return this;
  }

  /** What handling one batch produced, per channel and per topic, sent as one message each, in order. */
  private void sendOutbox() {
    outbox.forEach((channel, frames) -> channel.tell(frames.size() == 1
        ? new InstrumentChannel.Outbound(frames.getFirst()) : new InstrumentChannel.OutboundAll(frames)));
    outbox.clear();
    topicOutbox.forEach((t, frames) -> topic(t).tell(org.apache.pekko.actor.typed.pubsub.Topic.publish(
        frames.size() == 1 ? new InstrumentChannel.Outbound(frames.getFirst())
            : new InstrumentChannel.OutboundAll(frames))));
    topicOutbox.clear();
  }

  private void onSend(InstrumentId from, Frame.Send send, ActorRef<InstrumentChannel.Command> channel) {
    if (send.to().equals(PLATFORM)) {
      toPlatform(from, send, channel);
      return;
    }
    if (!policy.allows(from, send.to().value(), Action.SEND)) {
      deny(from, Action.SEND, send.to().value(), policy.decideSend(from, send.to()).reason(), send.id(), channel);
      return;
    }
    ActorRef<InstrumentChannel.Command> recipient = attached.get(send.to());
    if (recipient == null) {
      undeliverable++;
      answer(channel, Frame.Error.of(ErrorCode.UNKNOWN_INSTRUMENT, "Instrument " + send.to()
          + " is not connected; nothing was delivered", send.id()));
      return;
    }
    outbox.computeIfAbsent(recipient, k -> new ArrayList<>()).add(new Frame.Deliver(from, send.payload()));
    delivered++;
    if (send.ack()) {
      send.id().ifPresent(id -> answer(channel, new Frame.Ack(id)));
    }
  }

  private void toPlatform(InstrumentId from, Frame.Send send, ActorRef<InstrumentChannel.Command> channel) {
    if (platformInbox.isEmpty()) {
      undeliverable++;
      answer(channel, Frame.Error.of(ErrorCode.UNKNOWN_INSTRUMENT, "the platform takes no messages here",
          send.id()));
      return;
    }
    platformInbox.get().tell(new ToPlatform(from, send.payload()));
    delivered++;
    if (send.ack()) {
      send.id().ifPresent(id -> answer(channel, new Frame.Ack(id)));
    }
  }

  private Behavior<Command> onToInstrument(ToInstrument command) {
    ActorRef<InstrumentChannel.Command> channel = attached.get(command.to());
    if (channel != null) {
      answer(channel, command.frame());
      sendOutbox();
    }
    command.replyTo().tell(channel != null);
    return this;
  }

  private Behavior<Command> onSetPlatformInbox(SetPlatformInbox command) {
    platformInbox = Optional.of(command.inbox());
    return this;
  }

  private void onPublish(InstrumentId from, Frame.Publish publish, ActorRef<InstrumentChannel.Command> channel) {
    String topic = publish.topic().value();
    if (!policy.allows(from, topic, Action.PUBLISH)) {
      deny(from, Action.PUBLISH, topic, policy.decide(from, topic, Action.PUBLISH).reason(), publish.id(), channel);
      return;
    }
    Instant now = clock.instant();
    if (publish.audience() == Audience.USERS) {
      UserEvent event = UserEvent.unstored(publish.topic().value(), from, now, publish.payload().asString());
      userEvents.tell(new UserEventLog.Append(event));
      usersTopic.tell(org.apache.pekko.actor.typed.pubsub.Topic.publish(new UsersEvent(event)));
      usersPublished++;
    } else {
      topicOutbox.computeIfAbsent(publish.topic(), k -> new ArrayList<>())
          .add(new Frame.Event(publish.topic(), from, publish.audience(), now, publish.payload()));
      published++;
    }
  }

  private void onSubscribe(InstrumentId from, Frame.Subscribe subscribe,
                           ActorRef<InstrumentChannel.Command> channel) {
    Decision decision = policy.decide(from, subscribe.topic().value(), Action.SUBSCRIBE);
    if (decision.denied()) {
      deny(from, Action.SUBSCRIBE, subscribe.topic().value(), decision.reason(), Optional.of(subscribe.id()),
          channel);
      return;
    }
    if (!channel.equals(attached.get(from))) {
      answer(channel, Frame.Error.of(ErrorCode.NOT_READY, "not attached to the bus", Optional.of(subscribe.id())));
      return;
    }
    if (subscriptions.computeIfAbsent(from, k -> new HashSet<>()).add(subscribe.topic())) {
      sendOutbox();  // events published before the subscription go out first, without it
      topic(subscribe.topic()).tell(org.apache.pekko.actor.typed.pubsub.Topic.subscribe(channel));
    }
    answer(channel, new Frame.Ack(subscribe.id()));
  }

  private void onUnsubscribe(InstrumentId from, Frame.Unsubscribe unsubscribe,
                             ActorRef<InstrumentChannel.Command> channel) {
    Set<Topic> topicsOf = subscriptions.getOrDefault(from, Set.of());
    if (topicsOf.contains(unsubscribe.topic())) {
      topicsOf.remove(unsubscribe.topic());
      sendOutbox();  // events published before the unsubscribe still reach it
      topic(unsubscribe.topic()).tell(org.apache.pekko.actor.typed.pubsub.Topic.unsubscribe(channel));
    }
    answer(channel, new Frame.Ack(unsubscribe.id()));
  }

  private Behavior<Command> onAttach(Attach attach) {
    ActorRef<InstrumentChannel.Command> previous = attached.put(attach.instrument(), attach.channel());
    if (previous != null && !previous.equals(attach.channel())) {
      dropSubscriptions(attach.instrument(), previous);
    }
    return this;
  }

  private Behavior<Command> onDetach(Detach detach) {
    if (attached.remove(detach.instrument(), detach.channel())) {
      dropSubscriptions(detach.instrument(), detach.channel());
    }
    return this;
  }

  private void dropSubscriptions(InstrumentId instrument, ActorRef<InstrumentChannel.Command> channel) {
    Set<Topic> gone = subscriptions.remove(instrument);
    if (gone != null) {
      for (Topic t : gone) {
        topic(t).tell(org.apache.pekko.actor.typed.pubsub.Topic.unsubscribe(channel));
      }
    }
  }

  private Behavior<Command> onPolicyChanged(PolicyChanged changed) {
    policy = changed.policy();
    sendOutbox();
    for (var entry : subscriptions.entrySet()) {
      InstrumentId subscriber = entry.getKey();
      ActorRef<InstrumentChannel.Command> channel = attached.get(subscriber);
      var it = entry.getValue().iterator();
      while (it.hasNext()) {
        Topic t = it.next();
        Decision decision = policy.decide(subscriber, t.value(), Action.SUBSCRIBE);
        if (decision.denied()) {
          it.remove();
          if (channel != null) {
            topic(t).tell(org.apache.pekko.actor.typed.pubsub.Topic.unsubscribe(channel));
            answer(channel, Frame.Error.of(ErrorCode.NOT_PERMITTED, "your subscription to " + t
                + " was revoked by the operator", Optional.empty()));
          }
          audit.tell(new AuditLog.Record(AuditRequest.of(Principal.platform(), AUDIT_SUBSCRIPTION_REVOKED,
              AuditKind.PERMISSION, Outcome.OK, subscriber + " no longer receives " + t).aboutInstrument(subscriber),
              noReply));
        }
      }
    }
    sendOutbox();
    return this;
  }

  private Behavior<Command> onCheck(Check check) {
    check.replyTo().tell(policy.decide(check.from(), check.object(), check.action()));
    return this;
  }

  private Behavior<Command> onGetStats(GetStats query) {
    Map<InstrumentId, Set<Topic>> copy = new HashMap<>();
    subscriptions.forEach((id, set) -> copy.put(id, Set.copyOf(set)));
    query.replyTo().tell(new Stats(delivered, published, usersPublished, denied, undeliverable, Map.copyOf(copy)));
    return this;
  }

  private void deny(InstrumentId from, Action action, String object, String reason, Optional<String> id,
                    ActorRef<InstrumentChannel.Command> channel) {
    denied++;
    answer(channel, Frame.Error.of(ErrorCode.NOT_PERMITTED, reason, id));
    Instant now = clock.instant();
    String key = from.value() + '\u0000' + action.wireName() + '\u0000' + object;
    Denials seen = denials.get(key);
    if (seen != null && Duration.between(seen.since(), now).compareTo(DENIAL_WINDOW) < 0) {
      denials.put(key, new Denials(seen.since(), seen.suppressed() + 1));
      return;
    }
    if (denials.size() >= MAX_DENIAL_KEYS) {
      denials.clear();
    }
    denials.put(key, new Denials(now, 0));
    String more = seen == null || seen.suppressed() == 0 ? ""
        : " (and " + seen.suppressed() + " like it since " + seen.since() + ")";
    audit.tell(new AuditLog.Record(AuditRequest.of(Principal.instrument(from), AUDIT_DENIED, AuditKind.MESSAGE,
            Outcome.DENIED, action.wireName() + " " + object + ": " + reason + more)
        .withTarget(object).aboutInstrument(from), noReply));
  }

  /** Queued for the end of the current batch (sent at once outside one), after what is queued for it. */
  private void answer(ActorRef<InstrumentChannel.Command> channel, Frame frame) {
    outbox.computeIfAbsent(channel, k -> new ArrayList<>()).add(frame);
  }

  private ActorRef<org.apache.pekko.actor.typed.pubsub.Topic.Command<InstrumentChannel.Command>> topic(Topic t) {
    return topics.computeIfAbsent(t, name -> getContext().spawn(
        org.apache.pekko.actor.typed.pubsub.Topic.create(InstrumentChannel.Command.class, "sf-bus." + name.value()),
        "topic-" + name.value()));
  }
}
