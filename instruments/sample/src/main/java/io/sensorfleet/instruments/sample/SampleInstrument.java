package io.sensorfleet.instruments.sample;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.protocol.Topic;
import io.sensorfleet.sdk.BusEvent;
import io.sensorfleet.sdk.ConfigDecision;
import io.sensorfleet.sdk.ConfigUpdate;
import io.sensorfleet.sdk.DataDirectory;
import io.sensorfleet.sdk.Health;
import io.sensorfleet.sdk.InstrumentClient;
import io.sensorfleet.sdk.RetentionSweeper;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A complete small Instrument on the SDK, to copy from: it applies a configuration (or rejects it with a reason),
 * writes a heartbeat file into its data directory, deletes old heartbeat files when the platform enforces
 * retention, logs the events of the topic its configuration names, echoes direct messages to their sender, answers
 * health from its own state, and stops when the platform says bye.
 *
 * <p>Callbacks run one at a time on the SDK's callback thread, so the configuration is only changed there; what
 * other threads read (health counters) is atomic.
 */
public final class SampleInstrument implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("io.sensorfleet.instruments.sample");
  /** Messages that start like this are our own echoes (or another sample's): answering them would ping-pong. */
  private static final String ECHO_PREFIX = "{\"echo\":";

  private final Path dataDir;
  private final Heartbeat heartbeat;
  private final AtomicReference<Optional<SampleConfig>> applied = new AtomicReference<>(Optional.empty());
  private final AtomicReference<Optional<String>> subscriptionProblem = new AtomicReference<>(Optional.empty());
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong messages = new AtomicLong();
  private final InstrumentClient client;

  private SampleInstrument(InstrumentClient.Builder builder, Path dataDir, Clock clock) {
    this.dataDir = dataDir;
    this.heartbeat = new Heartbeat(dataDir, clock);
    this.client = builder
        .software("sample/" + version())
        .onConfig(this::configure)
        .onHealthQuery(this::health)
        .onRetention(cutoff -> RetentionSweeper.deleteOlderThan(dataDir, cutoff))
        .onMessage(this::echo)
        .onEvent(this::log)
        .onShutdown(reason -> heartbeat.close())
        .build();
  }

  /**
   * Starts the Instrument: the client connects in the background and the heartbeat starts with the first accepted
   * configuration.
   *
   * @param builder connection settings (a plain {@link InstrumentClient#builder()} reads them from the environment);
   *     its callbacks are replaced
   */
  public static SampleInstrument start(InstrumentClient.Builder builder, Path dataDir, Clock clock) {
    return new SampleInstrument(builder, dataDir, clock);
  }

  public static void main(String[] args) throws InterruptedException {
    Path dataDir = DataDirectory.fromEnvironment(System.getenv());
    try (SampleInstrument sample = start(InstrumentClient.builder(), dataDir, Clock.systemUTC())) {
      sample.client.awaitClosed();
    }
  }

  /** The client, for tests and for code that wants to publish. */
  public InstrumentClient client() {
    return client;
  }

  private ConfigDecision configure(ConfigUpdate update) {
    return switch (SampleConfig.parse(update.config())) {
      case SampleConfig.Parsed.Invalid invalid -> ConfigDecision.reject(invalid.reason());
      case SampleConfig.Parsed.Valid(SampleConfig config) -> {
        Optional<Topic> before = applied.get().flatMap(SampleConfig::topic);
        heartbeat.every(config.heartbeat());
        if (!before.equals(config.topic())) {
          before.ifPresent(client::unsubscribe);
          config.topic().ifPresent(this::subscribe);
        }
        applied.set(Optional.of(config));
        LOG.log(Level.INFO, () -> "applied configuration version " + update.version() + ": " + config);
        yield ConfigDecision.accept();
      }
    };
  }

  private void subscribe(Topic topic) {
    subscriptionProblem.set(Optional.empty());
    // Not waited for: a callback may wait, but the configuration is applied either way.
    client.subscribe(topic).whenComplete((ok, failure) -> {
      if (failure != null) {
        subscriptionProblem.set(Optional.of("subscription to " + topic + " failed: " + failure.getMessage()));
      }
    });
  }

  private Health health() {
    RawJson metrics = RawJson.of("{\"heartbeats\":" + heartbeat.written() + ",\"events\":" + events.get()
        + ",\"messages\":" + messages.get() + "}");
    Health verdict;
    if (applied.get().isEmpty()) {
      verdict = Health.degraded("waiting for a configuration");
    } else if (heartbeat.lastError().isPresent()) {
      verdict = Health.failed("cannot write the heartbeat under " + dataDir + ": " + heartbeat.lastError().get());
    } else if (subscriptionProblem.get().isPresent()) {
      verdict = Health.degraded(subscriptionProblem.get().get());
    } else {
      verdict = Health.healthy();
    }
    return verdict.withMetrics(metrics);
  }

  private void echo(InstrumentId from, RawJson payload) {
    messages.incrementAndGet();
    if (!payload.asString().startsWith(ECHO_PREFIX)) {
      client.send(from, RawJson.of(ECHO_PREFIX + payload.asString() + "}"));
    }
  }

  private void log(BusEvent event) {
    events.incrementAndGet();
    LOG.log(Level.INFO, () -> "event on " + event.topic() + " from " + event.from() + ": " + event.payload());
  }

  private static String version() {
    String v = SampleInstrument.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Says bye to the platform and stops the heartbeat. */
  @Override
  public void close() {
    client.close();
    heartbeat.close();
  }
}
