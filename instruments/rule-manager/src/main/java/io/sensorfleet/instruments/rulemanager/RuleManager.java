package io.sensorfleet.instruments.rulemanager;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.instruments.support.Json;
import io.sensorfleet.sdk.ClientState;
import io.sensorfleet.sdk.ConfigDecision;
import io.sensorfleet.sdk.ConfigUpdate;
import io.sensorfleet.sdk.Health;
import io.sensorfleet.sdk.InstrumentClient;
import io.sensorfleet.sdk.NotConnectedException;
import io.sensorfleet.sdk.RefusedException;
import io.sensorfleet.sdk.RetentionResult;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The reference manager Instrument: holds rulesets in its configuration and sends each to its target by direct
 * message with an acknowledgement ({@code {"ruleset":"demo","version":N,"patterns":[...]}}, N being the
 * configuration version that set it), when a configuration is accepted, after every (re)connection, and every
 * {@code resend-seconds}, so a target that restarted gets its rules back. Health is degraded while a target has not
 * acknowledged its current rulesets.
 *
 * <p>An acknowledgement means the platform took the message for delivery (docs/protocol.md): the permission to
 * send was granted and the target exists. The periodic resend covers a target that lost it afterwards.
 */
public final class RuleManager implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("io.sensorfleet.instruments.rulemanager");

  private final Distribution distribution = new Distribution();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("rule-manager-resend").factory());
  private final AtomicReference<Optional<ManagerConfig>> applied = new AtomicReference<>(Optional.empty());
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final InstrumentClient client;
  private ScheduledFuture<?> resend;   // guarded by this

  private RuleManager(InstrumentClient.Builder builder) {
    this.client = builder
        .software("rule-manager/" + version())
        .onConfig(this::configure)
        .onHealthQuery(this::health)
        .onRetention(cutoff -> RetentionResult.nothingDeleted("rule-manager keeps no data"))
        .onStateChange(state -> {
          if (state == ClientState.READY) {
            later(this::sendAll);   // a new connection: the targets may have restarted too
          }
        })
        .onShutdown(reason -> timer.shutdownNow())
        .build();
  }

  /**
   * Starts the rule manager: the client connects in the background; rulesets go out once a configuration is
   * accepted.
   *
   * @param builder connection settings (a plain {@link InstrumentClient#builder()} reads them from the environment);
   *     its callbacks are replaced
   */
  public static RuleManager start(InstrumentClient.Builder builder) {
    return new RuleManager(builder);
  }

  public static void main(String[] args) throws InterruptedException {
    try (RuleManager manager = start(InstrumentClient.builder())) {
      manager.client.awaitClosed();
    }
  }

  /** The client, for tests. */
  public InstrumentClient client() {
    return client;
  }

  private ConfigDecision configure(ConfigUpdate update) {
    return switch (ManagerConfig.parse(update.config())) {
      case ManagerConfig.Parsed.Invalid invalid -> ConfigDecision.reject(invalid.reason());
      case ManagerConfig.Parsed.Valid(ManagerConfig config) -> {
        distribution.replace(config.rulesets(), update.version());
        Optional<ManagerConfig> before = applied.getAndSet(Optional.of(config));
        if (!before.map(ManagerConfig::resend).equals(Optional.of(config.resend()))) {
          schedule(config.resend());
        }
        later(this::sendAll);
        yield ConfigDecision.accept();
      }
    };
  }

  private synchronized void schedule(Duration every) {
    if (resend != null) {
      resend.cancel(false);
    }
    try {
      resend = timer.scheduleAtFixedRate(this::sendAll, every.toNanos(), every.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void later(Runnable task) {
    try {
      timer.execute(task);
    } catch (RejectedExecutionException e) {
      // closing: nothing more to send
    }
  }

  private void sendAll() {
    for (Distribution.Message m : distribution.messages()) {
      sent.incrementAndGet();
      client.sendWithAck(m.key().target(), payload(m)).whenComplete((ok, failure) -> {
        if (failure == null) {
          acknowledged.incrementAndGet();
          distribution.acknowledged(m);
        } else {
          failed.incrementAndGet();
          String why = describe(failure);
          if (distribution.failed(m, why)) {
            LOG.log(Level.WARNING, () -> "ruleset " + m.key().name() + " version " + m.version() + " for "
                + m.key().target() + " not delivered: " + why);
          }
        }
      });
    }
  }

  static RawJson payload(Distribution.Message m) {
    ObjectNode body = Json.MAPPER.createObjectNode().put("ruleset", m.key().name()).put("version", m.version());
    m.patterns().forEach(body.putArray("patterns")::add);
    return json(body);
  }

  private static String describe(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    return switch (cause) {
      case RefusedException refused -> "refused: " + refused.getMessage();
      case NotConnectedException _ -> "not connected to the platform";
      case TimeoutException _ -> "no acknowledgement in time";
      default -> cause.toString();
    };
  }

  private Health health() {
    Map<InstrumentId, Distribution.TargetStatus> status = distribution.status();
    ObjectNode metrics = Json.MAPPER.createObjectNode().put("sent", sent.get()).put("acked", acknowledged.get())
        .put("failed", failed.get());
    ObjectNode targets = metrics.putObject("targets");
    List<String> waiting = new ArrayList<>();
    status.forEach((target, s) -> {
      ObjectNode t = targets.putObject(target.value());
      s.lastAcked().ifPresentOrElse(v -> t.put("last_acked_version", v), () -> t.putNull("last_acked_version"));
      t.put("waiting", s.waiting().size());
      if (!s.waiting().isEmpty()) {
        waiting.add(target + " has not acknowledged " + String.join(", ", s.waiting())
            + s.failure().map(f -> " (" + f + ")").orElse(""));
      }
    });
    Health verdict;
    if (applied.get().isEmpty()) {
      verdict = Health.degraded("waiting for a configuration");
    } else if (!waiting.isEmpty()) {
      verdict = Health.degraded(String.join("; ", waiting));
    } else {
      List<String> targetNames = status.keySet().stream().map(InstrumentId::value).toList();
      verdict = Health.healthy(targetNames.isEmpty() ? "no rulesets to send"
          : "rulesets acknowledged for " + String.join(", ", targetNames));
    }
    return verdict.withMetrics(json(metrics));
  }

  private static RawJson json(ObjectNode node) {
    try {
      return RawJson.of(Json.MAPPER.writeValueAsBytes(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String version() {
    String v = RuleManager.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Says bye to the platform and stops resending. */
  @Override
  public void close() {
    client.close();
    timer.shutdownNow();
  }
}
