package io.sensorfleet.instruments.dnssensor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Audience;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.protocol.Topic;
import io.sensorfleet.instruments.support.Json;
import io.sensorfleet.sdk.ConfigDecision;
import io.sensorfleet.sdk.ConfigUpdate;
import io.sensorfleet.sdk.Health;
import io.sensorfleet.sdk.InstrumentClient;
import io.sensorfleet.sdk.RetentionResult;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The reference IDS: replays DNS traffic from a pcap, publishes one {@code dns} event per query or response
 * (audience {@code instruments}), applies the rulesets other Instruments send it by direct message, and publishes an
 * {@code alerts.dns} alert (audience {@code users}) for every name a ruleset matches. docs/reference-instruments.md
 * has the shapes.
 *
 * <p>Who may send rulesets is the platform's decision (the operator grants {@code send: dns-sensor}): any message
 * that arrives is from a permitted sender.
 */
public final class DnsSensor implements AutoCloseable {

  public static final Topic DNS = Topic.of("dns");
  public static final Topic ALERTS = Topic.of("alerts.dns");
  public static final int ALERT_SEVERITY = 2;
  /** How long a refused publication keeps health degraded: a missing grant shows, a passing one fades. */
  static final Duration REFUSAL_SHOWN_FOR = Duration.ofSeconds(60);
  private static final System.Logger LOG = System.getLogger("io.sensorfleet.instruments.dnssensor");

  private final Clock clock;
  private final Rules rules = new Rules();
  private final AlertThrottle throttle = new AlertThrottle();
  private final AtomicReference<Optional<Replay>> replay = new AtomicReference<>(Optional.empty());
  private final AtomicReference<Optional<String>> rulesetProblem = new AtomicReference<>(Optional.empty());
  private final AtomicLong packets = new AtomicLong();
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong alerts = new AtomicLong();
  private final AtomicLong suppressed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong refusedRulesets = new AtomicLong();
  private final AtomicLong refusedByPlatform = new AtomicLong();
  private final AtomicReference<Optional<Refusal>> lastRefusal = new AtomicReference<>(Optional.empty());
  private final InstrumentClient client;

  private DnsSensor(InstrumentClient.Builder builder, Clock clock) {
    this.clock = clock;
    this.client = builder
        .software("dns-sensor/" + version())
        .onConfig(this::configure)
        .onHealthQuery(this::health)
        .onRetention(cutoff -> RetentionResult.nothingDeleted("dns-sensor keeps no data"))
        .onMessage(this::receive)
        .onError(this::refused)
        .onShutdown(reason -> stopReplay())
        .build();
  }

  /**
   * Starts the sensor: the client connects in the background; the replay starts with the first accepted
   * configuration.
   *
   * @param builder connection settings (a plain {@link InstrumentClient#builder()} reads them from the environment);
   *     its callbacks are replaced
   */
  public static DnsSensor start(InstrumentClient.Builder builder, Clock clock) {
    return new DnsSensor(builder, clock);
  }

  public static void main(String[] args) throws InterruptedException {
    try (DnsSensor sensor = start(InstrumentClient.builder(), Clock.systemUTC())) {
      sensor.client.awaitClosed();
    }
  }

  /** The client, for tests. */
  public InstrumentClient client() {
    return client;
  }

  private ConfigDecision configure(ConfigUpdate update) {
    return switch (SensorConfig.parse(update.config())) {
      case SensorConfig.Parsed.Invalid invalid -> ConfigDecision.reject(invalid.reason());
      case SensorConfig.Parsed.Valid(SensorConfig config) -> {
        boolean same = replay.get().map(r -> r.config().equals(config)).orElse(false);
        if (!same) {
          stopReplay();   // first, so two replays never publish at once
          Replay next = Replay.start(PcapSource.of(config.pcap()), config,
              (linkType, record) -> onPacket(config, linkType, record), clock);
          replay.set(Optional.of(next));
          LOG.log(Level.INFO, () -> "replaying " + next.describe() + " at " + config.rate() + " packets/s");
        }
        yield ConfigDecision.accept();
      }
    };
  }

  private void onPacket(SensorConfig config, int linkType, PcapReader.Record record) {
    packets.incrementAndGet();
    PacketDecoder.udp(linkType, record.data())
        .flatMap(datagram -> DnsEvent.from(datagram, clock.instant()))
        .ifPresent(event -> publish(event, config.alertSuppress()));
  }

  private void publish(DnsEvent event, Duration suppress) {
    count(client.publish(DNS, Audience.INSTRUMENTS, Json.write(event)), events);
    for (Rules.Match match : rules.matches(event.qname())) {
      var key = new AlertThrottle.Key(match.ruleset(), match.pattern(), event.qname(), event.client());
      if (!throttle.allow(key, event.ts(), suppress)) {
        suppressed.incrementAndGet();
        continue;
      }
      Alert alert = new Alert(event.ts(), ALERT_SEVERITY, match.pattern(), match.ruleset(), match.version(),
          event.qname(), event.client(), event.kind());
      count(client.publish(ALERTS, Audience.USERS, Json.write(alert)), alerts);
    }
  }

  private void count(boolean published, AtomicLong counter) {
    (published ? counter : dropped).incrementAndGet();
  }

  private void receive(InstrumentId from, RawJson payload) {
    try {
      Ruleset ruleset = Ruleset.parse(Json.read(payload));
      Rules.Outcome outcome = rules.apply(ruleset);
      rulesetProblem.set(Optional.empty());
      LOG.log(outcome == Rules.Outcome.UNCHANGED ? Level.DEBUG : Level.INFO, () -> "ruleset " + ruleset.name()
          + " version " + ruleset.version() + " from " + from + ": " + outcome.name().toLowerCase());
    } catch (IllegalArgumentException e) {
      refusedRulesets.incrementAndGet();
      String why = "refused a ruleset from " + from + ": " + e.getMessage();
      rulesetProblem.set(Optional.of(why));
      LOG.log(Level.WARNING, why);
    }
  }

  /** An error frame answering none of our waits: here, a publication the platform refused (no grant). */
  private void refused(Frame.Error error) {
    refusedByPlatform.incrementAndGet();
    String what = error.code() + (error.message().isEmpty() ? "" : ": " + error.message());
    Refusal now = new Refusal(clock.instant(), what);
    Optional<Refusal> before = lastRefusal.getAndSet(Optional.of(now));
    if (before.isEmpty() || !before.get().isRecent(now.at())) {
      LOG.log(Level.WARNING, () -> "the platform refused a publication: " + now.what());
    }
  }

  private Health health() {
    Optional<Replay> current = replay.get();
    Optional<Refusal> refusal = lastRefusal.get().filter(r -> r.isRecent(clock.instant()));
    Health verdict;
    if (current.isEmpty()) {
      verdict = Health.degraded("waiting for a configuration");
    } else if (current.get().problem().isPresent()) {
      verdict = Health.degraded(current.get().problem().get());
    } else if (refusal.isPresent()) {
      verdict = Health.degraded("the platform refuses publications (" + refusedByPlatform.get() + " so far): "
          + refusal.get().what());
    } else if (rulesetProblem.get().isPresent()) {
      verdict = Health.degraded(rulesetProblem.get().get());
    } else {
      verdict = Health.healthy((current.get().finished() ? "replayed " : "replaying ") + current.get().describe());
    }
    return verdict.withMetrics(metrics(current));
  }

  private RawJson metrics(Optional<Replay> current) {
    ObjectNode m = Json.MAPPER.createObjectNode()
        .put("packets", packets.get())
        .put("events", events.get())
        .put("alerts", alerts.get())
        .put("suppressed_alerts", suppressed.get())
        .put("dropped", dropped.get())
        .put("passes", current.map(Replay::passes).orElse(0L))
        .put("refused_rulesets", refusedRulesets.get())
        .put("refused_by_platform", refusedByPlatform.get());
    ObjectNode versions = m.putObject("rulesets");
    rules.versions().forEach(versions::put);
    try {
      return RawJson.of(Json.MAPPER.writeValueAsBytes(m));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void stopReplay() {
    replay.getAndSet(Optional.empty()).ifPresent(Replay::close);
  }

  /** A refusal from the platform, and when it came. */
  private record Refusal(Instant at, String what) {
    boolean isRecent(Instant now) {
      return now.isBefore(at.plus(REFUSAL_SHOWN_FOR));
    }
  }

  private static String version() {
    String v = DnsSensor.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Says bye to the platform and stops replaying. */
  @Override
  public void close() {
    client.close();
    stopReplay();
  }
}
