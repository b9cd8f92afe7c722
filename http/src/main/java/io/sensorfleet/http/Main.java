package io.sensorfleet.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sensorfleet.actors.SensorGuardian;
import io.sensorfleet.actors.SensorSettings;
import io.sensorfleet.audit.AuditEntry;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditQueries;
import io.sensorfleet.audit.AuditRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import io.sensorfleet.lxd.LxdRuntime;
import io.sensorfleet.network.HostNetworkProvisioner;
import io.sensorfleet.network.NetworkSettings;
import io.sensorfleet.storage.GocryptfsStorage;
import io.sensorfleet.storage.StorageSettings;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * Starts a sensor: the actor system with its {@link SensorGuardian}, then Fleet Management's HTTP API.
 * Records {@code platform started} once the API listens, and {@code platform stopped} when the JVM is asked to
 * stop (SIGTERM, Ctrl-C), before the journal closes.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    Config config = ConfigFactory.load();
    Sensor sensor;
    try {
      sensor = Sensor.start(config, Clock.systemUTC()).toCompletableFuture().get(
          SensorSettings.from(config).schemaTimeout().toSeconds() + 30, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("sensorfleet: the sensor could not start: " + cause.getMessage());
      System.exit(1);
      return;
    }
    System.out.println("sensorfleet: Fleet Management listening on " + sensor.url());
    System.out.println("sensorfleet: data in " + config.getString("sensor.data-dir") + "; Ctrl-C stops the sensor");
    if (config.getString("sensor.mode").equals("demo")) {
      new Demo(sensor.system(), config.getDuration("sensor.demo.timeout"), System.out)
          .run(java.nio.file.Path.of(config.getString("sensor.demo.manifests")))
          .whenComplete((v, error) -> System.out.println(error == null
              ? "sensorfleet: demo Instruments are up: curl " + sensor.url() + "api/v1/instruments"
              : "sensorfleet: demo: " + error.getMessage()));
    }
    sensor.system().getWhenTerminated().toCompletableFuture().join();
  }

  /** A running sensor: its actor system, guardian and HTTP binding. Also used by tests. */
  public record Sensor(ActorSystem<SensorGuardian.Command> system, ServerBinding binding) {

    public String url() {
      return "http://" + binding.localAddress().getHostString() + ":" + binding.localAddress().getPort() + "/";
    }

    /** Starts a sensor from {@code config}; completes once the API listens and the start is audited. */
    public static CompletionStage<Sensor> start(Config config, Clock clock) {
      SensorSettings settings = SensorSettings.from(config);
      HttpSettings http = HttpSettings.from(config);
      // The LXD client lives on the sensor's own actor system; it connects on first use.
      var runtime = new java.util.concurrent.atomic.AtomicReference<LxdRuntime>();
      ActorSystem<SensorGuardian.Command> system = ActorSystem.create(Behaviors.setup(ctx -> {
        runtime.set(LxdRuntime.create(ctx.getSystem()));
        var network = HostNetworkProvisioner.create(NetworkSettings.fromRootConfig(config),
            ctx.getSystem().dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking()));
        var storage = GocryptfsStorage.create(runtime.get(), StorageSettings.fromRootConfig(config));
        return SensorGuardian.create(settings, clock, runtime.get(), network, storage);
      }), "sensorfleet", config);
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "close-lxd-connections",
          () -> Http.get(system).shutdownAllConnectionPools().thenApply(v -> Done.getInstance()));
      ObjectMapper mapper = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
      AuditQueries queries = AuditQueries.create(system);
      var api = new FleetApi(mapper,
          new HealthRoutes(() -> AskPattern.ask(system, SensorGuardian.GetStatus::new, settings.askTimeout(),
              system.scheduler()), clock, mapper),
          new AuditRoutes(queries::findPage, http, mapper),
          new InstrumentRoutes(() -> AskPattern.ask(system, SensorGuardian.GetInstruments::new, settings.askTimeout(),
              system.scheduler()), mapper));

      CompletionStage<Sensor> started = AskPattern
          .ask(system, SensorGuardian.GetStatus::new, settings.schemaTimeout(), system.scheduler())
          .thenCompose(status -> Http.get(system).newServerAt(http.host(), http.port()).bind(api.route()))
          .thenCompose(binding -> record(system, settings.askTimeout(), "platform started",
              "Fleet Management on " + binding.localAddress() + ", mode " + config.getString("sensor.mode"))
              .thenApply(entry -> new Sensor(system, binding)));
      started.whenComplete((sensor, error) -> {
        if (error != null) {
          system.terminate();
        } else {
          sensor.auditStopBeforeUnbind(settings.askTimeout());
        }
      });
      return started;
    }

    private void auditStopBeforeUnbind(Duration timeout) {
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "audit-platform-stopped",
          () -> record(system, timeout, "platform stopped", "reason: " + CoordinatedShutdown.get(system)
              .getShutdownReason().map(Object::toString).orElse("unknown"))
              .thenApply(entry -> Done.getInstance())
              .exceptionally(error -> Done.getInstance()));
    }

    private static CompletionStage<AuditEntry> record(ActorSystem<SensorGuardian.Command> system, Duration timeout,
        String action, String detail) {
      return AskPattern.ask(system,
          replyTo -> new SensorGuardian.RecordAudit(AuditRequest.platform(action, AuditKind.PLATFORM, detail), replyTo),
          timeout, system.scheduler());
    }
  }
}
