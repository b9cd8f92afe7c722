package io.sensorfleet.sdk;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Audience;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.Handshake;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.protocol.Topic;
import io.sensorfleet.sdk.internal.Callbacks;
import io.sensorfleet.sdk.internal.SdkVersion;
import io.sensorfleet.sdk.internal.Session;
import io.sensorfleet.sdk.internal.Settings;
import io.sensorfleet.sdk.internal.Texts;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An Instrument's connection to the platform (docs/instrument-sdk.md): it connects to the bus socket, says
 * {@code hello}, answers the platform's configuration, health and retention requests through the app's callbacks,
 * carries the app's messages and events, and reconnects with backoff when the platform goes away.
 *
 * <pre>{@code
 * try (InstrumentClient client = InstrumentClient.builder()
 *     .onConfig(update -> ConfigDecision.accept())
 *     .onShutdown(reason -> stopWork())
 *     .build()) {
 *   client.awaitClosed();
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> Callbacks run one at a time, in the order their frames arrived, on one SDK thread; a slow
 * callback delays the next, not the reading of answers, so a callback may wait for a stage this client returned.
 * Every method is thread-safe. Stages complete on threads of their own. The SDK's threads are virtual, so they do
 * not keep the JVM alive: {@code main} waits in {@link #awaitClosed()}.
 *
 * <p><b>Delivery.</b> While the client is not {@link ClientState#READY}, {@link #send} and {@link #publish} drop
 * the message and return false, and acknowledged sends fail with {@link NotConnectedException}: the bus promises at
 * most once. Subscriptions are state, not messages: they are made again on every new connection.
 */
public final class InstrumentClient implements AutoCloseable {

  /** The socket's path inside an Instrument's container. */
  public static final Path DEFAULT_BUS = Path.of("/run/sensorfleet/bus.sock");
  /** Overrides {@link #DEFAULT_BUS}. */
  public static final String ENV_BUS = "SENSORFLEET_BUS";
  /** The Instrument's id, set by the platform in each container. */
  public static final String ENV_INSTRUMENT = "SENSORFLEET_INSTRUMENT";

  private static final System.Logger LOG = System.getLogger("io.sensorfleet.sdk");

  private final Session session;

  private InstrumentClient(Session session) {
    this.session = session;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Who this client says it is in {@code hello}. */
  public InstrumentId instrument() {
    return session.instrument();
  }

  /** Where the client is now; {@link Builder#onStateChange} reports each change. */
  public ClientState state() {
    return session.state();
  }

  /**
   * Sends {@code payload} to Instrument {@code to}, without waiting, if the permission policy allows (a refusal
   * arrives at {@link Builder#onError}).
   *
   * @return false if the client is not READY or the write failed: the message is dropped
   */
  public boolean send(InstrumentId to, RawJson payload) {
    return session.send(to, payload);
  }

  /**
   * Sends {@code payload} to {@code to} and asks the platform to confirm. The stage completes when the platform
   * accepted the message for delivery; it fails with {@link RefusedException} ({@code not-permitted},
   * {@code unknown-instrument}...), {@link NotConnectedException} (not READY, or the connection dropped first: the
   * message may or may not have been delivered), or {@link java.util.concurrent.TimeoutException}.
   */
  public CompletionStage<Void> sendWithAck(InstrumentId to, RawJson payload) {
    return session.sendWithAck(to, payload);
  }

  /**
   * Publishes an event on {@code topic} for {@code audience}: people ({@link Audience#USERS}, through the UI and
   * alerting) or subscribed Instruments. The protocol confirms nothing; a refusal arrives at {@link Builder#onError}.
   *
   * @return false if the client is not READY or the write failed: the event is dropped
   */
  public boolean publish(Topic topic, Audience audience, RawJson payload) {
    return session.publish(topic, audience, payload);
  }

  /**
   * Asks for the events published on {@code topic}, now and after every reconnection, until
   * {@link #unsubscribe}. The stage completes when the platform acknowledged it (if not READY: on the first
   * connection that does); it fails with {@link RefusedException} if the platform refuses (the topic is then
   * forgotten), or {@link java.util.concurrent.TimeoutException}. Events arrive at {@link Builder#onEvent}.
   */
  public CompletionStage<Void> subscribe(Topic topic) {
    return session.subscribe(topic);
  }

  /** Stops the events of {@code topic}; completes when the platform acknowledged (at once if not READY). */
  public CompletionStage<Void> unsubscribe(Topic topic) {
    return session.unsubscribe(topic);
  }

  /**
   * Reports a change of health without being asked (a {@code health-report} without {@code re}), so the platform
   * learns of a failure before its next query.
   *
   * @return false if the client is not READY or the write failed
   */
  public boolean reportHealth(Health health) {
    return session.reportHealth(health);
  }

  /**
   * Says {@code bye} to the platform (if connected), closes the connection and stops reconnecting. Queued callbacks
   * are dropped; a running one finishes. Idempotent, and safe to call from a callback.
   */
  @Override
  public void close() {
    session.close();
  }

  /** Waits until the client is {@link ClientState#CLOSED}: by {@link #close()}, or because the platform said bye. */
  public void awaitClosed() throws InterruptedException {
    session.awaitClosed();
  }

  /** {@link #awaitClosed()} for at most {@code timeout}; true if closed. */
  public boolean awaitClosed(Duration timeout) throws InterruptedException {
    return session.awaitClosed(timeout);
  }

  /**
   * Configures and starts a client. Every callback is optional; the defaults are documented on each method. A
   * callback that throws is logged and answered as documented there, never with a dropped connection.
   */
  public static final class Builder {

    private InstrumentId instrument;
    private Path bus;
    private String software;
    private Map<String, String> environment = System.getenv();
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Backoff backoff = Backoff.DEFAULT;
    private int callbackQueue = 1024;

    private Function<ConfigUpdate, ConfigDecision> config = update ->
        ConfigDecision.reject("this Instrument takes no configuration");
    private Supplier<Health> health = Health::healthy;
    private Function<Instant, RetentionResult> retention = cutoff ->
        RetentionResult.nothingDeleted("this Instrument has no retention handler: nothing deleted");
    private BiConsumer<InstrumentId, RawJson> message = (from, payload) ->
        LOG.log(Level.DEBUG, () -> "no onMessage callback: dropped a message from " + from);
    private Consumer<BusEvent> event = e ->
        LOG.log(Level.DEBUG, () -> "no onEvent callback: dropped an event on " + e.topic());
    private Consumer<Frame.ResourceAvailable> resource = r ->
        LOG.log(Level.DEBUG, () -> "no onResourceAvailable callback: ignored " + r.name() + " " + r.version());
    private Consumer<Frame.Error> error = e -> LOG.log(Level.WARNING, () -> "the platform reported an error: "
        + e.code() + e.re().map(re -> " (re " + re + ")").orElse("") + ": " + Texts.forLog(e.message()));
    private Consumer<String> shutdown = reason -> {};
    private Consumer<ClientState> stateChange = state -> {};

    private Builder() {}

    /** Who we are; default: the environment variable {@code SENSORFLEET_INSTRUMENT}, which the platform sets. */
    public Builder instrument(InstrumentId instrument) {
      this.instrument = Objects.requireNonNull(instrument, "instrument");
      return this;
    }

    /** The platform's socket; default: {@code SENSORFLEET_BUS}, else {@code /run/sensorfleet/bus.sock}. */
    public Builder bus(Path bus) {
      this.bus = Objects.requireNonNull(bus, "bus");
      return this;
    }

    /**
     * The Instrument's own name and version for the platform's logs, e.g. {@code passive-dns/1.4.2} (printable
     * ASCII); {@code hello} carries it followed by the SDK's.
     */
    public Builder software(String software) {
      this.software = Objects.requireNonNull(software, "software");
      return this;
    }

    /** Where the defaults are read from; {@link System#getenv()} unless a test says otherwise. */
    public Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      return this;
    }

    /** How long to wait for {@code welcome} before dropping the connection and retrying; default 10 s. */
    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** How long {@link #subscribe} and {@link #sendWithAck} wait for the platform's answer; default 30 s. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Waits between connection attempts; default {@link Backoff#DEFAULT} (200 ms doubling to 30 s, 20 % jitter). */
    public Builder backoff(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /**
     * Applies a configuration. Called with the one {@code welcome} carries, first after each (re)connection (see
     * {@link ConfigUpdate#restored()}), then with each new one; its decision is sent as {@code config-ack} or
     * {@code config-reject}. Default: reject, since an Instrument without this callback cannot apply one. If it
     * throws: reject, naming the exception.
     */
    public Builder onConfig(Function<ConfigUpdate, ConfigDecision> onConfig) {
      this.config = Objects.requireNonNull(onConfig, "onConfig");
      return this;
    }

    /**
     * Answers the platform's health query. Default: healthy, which only says the process runs and reads its socket.
     * If it throws: failed, naming the exception.
     */
    public Builder onHealthQuery(Supplier<Health> onHealthQuery) {
      this.health = Objects.requireNonNull(onHealthQuery, "onHealthQuery");
      return this;
    }

    /**
     * Deletes stored data older than the cutoff and says what it deleted, usually with
     * {@link RetentionSweeper#deleteOlderThan}. Default: nothing deleted, with a note saying so. If it throws: a
     * report of nothing deleted, noting the failure.
     */
    public Builder onRetention(Function<Instant, RetentionResult> onRetention) {
      this.retention = Objects.requireNonNull(onRetention, "onRetention");
      return this;
    }

    /** Receives messages other Instruments sent to this one (sender stamped by the platform). Default: dropped. */
    public Builder onMessage(BiConsumer<InstrumentId, RawJson> onMessage) {
      this.message = Objects.requireNonNull(onMessage, "onMessage");
      return this;
    }

    /** Receives events of the subscribed topics. Default: dropped. */
    public Builder onEvent(Consumer<BusEvent> onEvent) {
      this.event = Objects.requireNonNull(onEvent, "onEvent");
      return this;
    }

    /**
     * Learns that a new version of a resource (rule set, feed) is ready at a location; verify its size and sha256
     * before use. Default: ignored.
     */
    public Builder onResourceAvailable(Consumer<Frame.ResourceAvailable> onResourceAvailable) {
      this.resource = Objects.requireNonNull(onResourceAvailable, "onResourceAvailable");
      return this;
    }

    /**
     * Receives the platform's {@code error} frames that answer no waiting stage: refused plain sends and publishes
     * (their {@code re} is the frame's id), refused renewed subscriptions, complaints about our frames. Default: a
     * WARNING log line.
     */
    public Builder onError(Consumer<Frame.Error> onError) {
      this.error = Objects.requireNonNull(onError, "onError");
      return this;
    }

    /**
     * Stops the Instrument's work because the platform asked ({@code bye}, with its reason) or refused our identity
     * (the reason starts with {@code identity-mismatch}). Runs after the callbacks already queued; then the SDK
     * answers {@code bye} and closes, and {@link #awaitClosed()} returns. Not called for {@link #close()}.
     */
    public Builder onShutdown(Consumer<String> onShutdown) {
      this.shutdown = Objects.requireNonNull(onShutdown, "onShutdown");
      return this;
    }

    /**
     * Observes every state change, in order, on an SDK thread while the state cannot change: keep it short and do
     * not wait for the client in it.
     */
    public Builder onStateChange(Consumer<ClientState> onStateChange) {
      this.stateChange = Objects.requireNonNull(onStateChange, "onStateChange");
      return this;
    }

    /**
     * Builds the client and starts connecting in the background; returns at once, in state
     * {@link ClientState#CONNECTING}.
     *
     * @throws IllegalStateException if no instrument id is given or in the environment
     * @throws IllegalArgumentException if the instrument id or software string breaks the protocol's rules
     */
    public InstrumentClient build() {
      InstrumentId id = instrument != null ? instrument : instrumentFromEnvironment();
      Path socket = bus != null ? bus : Path.of(environment.getOrDefault(ENV_BUS, DEFAULT_BUS.toString()));
      String hello = software == null ? SdkVersion.software() : software + " " + SdkVersion.software();
      // Checks the software string now, with the protocol's own rule, rather than on the connection thread.
      new Frame.Hello("check", Handshake.SUPPORTED_VERSIONS, id, hello);
      Settings settings = new Settings(socket, id, hello, handshakeTimeout, requestTimeout, backoff, callbackQueue);
      Callbacks callbacks = new Callbacks(config, health, retention, message, event, resource, error, shutdown,
          stateChange);
      return new InstrumentClient(Session.start(settings, callbacks));
    }

    private InstrumentId instrumentFromEnvironment() {
      String value = environment.get(ENV_INSTRUMENT);
      if (value == null || value.isBlank()) {
        throw new IllegalStateException("no instrument id: set " + ENV_INSTRUMENT + " or call instrument(...)");
      }
      return InstrumentId.of(value.strip());
    }
  }
}
