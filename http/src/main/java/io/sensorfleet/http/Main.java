package io.sensorfleet.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sensorfleet.actors.SensorGuardian;
import io.sensorfleet.actors.capture.CaptureSupervisor;
import io.sensorfleet.actors.channel.ChannelSettings;
import io.sensorfleet.actors.SensorSettings;
import io.sensorfleet.audit.AuditEntry;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditQueries;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.http.auth.Access;
import io.sensorfleet.http.auth.AuthRoutes;
import io.sensorfleet.http.auth.AuthSettings;
import io.sensorfleet.http.auth.LoginThrottle;
import io.sensorfleet.http.auth.PasswordHasher;
import io.sensorfleet.http.auth.Sessions;
import io.sensorfleet.http.auth.UserRoutes;
import io.sensorfleet.http.auth.UserStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.DispatcherSelector;
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
import org.apache.pekko.http.javadsl.ConnectionContext;
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
    System.out.println("sensorfleet: Fleet Management listening on " + sensor.url()
        + "  (open it in a browser for the web console)");
    sensor.generatedAdminPassword().ifPresent(password -> System.out.println(
        "sensorfleet: first start: created user 'admin' with password " + password
            + "  (shown only this once; log in with POST " + sensor.url() + "api/v1/login, change it with POST "
            + sensor.url() + "api/v1/session/password)"));
    System.out.println("sensorfleet: data in " + config.getString("sensor.data-dir") + "; Ctrl-C stops the sensor");
    if (config.getString("sensor.mode").equals("demo")) {
      new Demo(sensor.system(), config.getDuration("sensor.demo.timeout"), System.out)
          .run(java.nio.file.Path.of(config.getString("sensor.demo.manifests")))
          .whenComplete((v, error) -> System.out.println(error == null
              ? "sensorfleet: demo Instruments are up; see them with\n"
                  + "  TOKEN=$(curl -s " + sensor.url() + "api/v1/login -d '{\"username\":\"admin\",\"password\":\"...\"}'"
                  + " | sed 's/.*\"token\":\"\\([^\"]*\\)\".*/\\1/')\n"
                  + "  curl -s -H \"Authorization: Bearer $TOKEN\" " + sensor.url() + "api/v1/instruments\n"
                  + "  curl -s -H \"Authorization: Bearer $TOKEN\" " + sensor.url() + "api/v1/capture/stats"
                  + "   # what passive Instruments receive"
              : "sensorfleet: demo: " + error.getMessage()));
    }
    sensor.system().getWhenTerminated().toCompletableFuture().join();
  }

  /** A password for the first admin: 120 random bits, URL-safe. */
  static String generatePassword() {
    byte[] bytes = new byte[15];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * A running sensor: its actor system, guardian and HTTP binding, and the first admin's password when this start
   * generated it. Also used by tests.
   */
  public record Sensor(ActorSystem<SensorGuardian.Command> system, ServerBinding binding,
                       Optional<String> generatedAdminPassword) {

    public String url() {
      String scheme = system.settings().config().getBoolean("sensor.http.tls.enabled") ? "https" : "http";
      return scheme + "://" + binding.localAddress().getHostString() + ":" + binding.localAddress().getPort() + "/";
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
        // The Capture Engine runs as a process of its own, unprivileged but for CAP_NET_RAW (docs/capture.md).
        var capture = io.sensorfleet.actors.capture.CaptureProcess.create(
            io.sensorfleet.actors.capture.CaptureProcessSettings.from(config),
            ctx.getSystem().dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking()));
        return SensorGuardian.create(settings, clock, runtime.get(), network, storage, capture);
      }), "sensorfleet", config);
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "close-lxd-connections",
          () -> Http.get(system).shutdownAllConnectionPools().thenApply(v -> Done.getInstance()));
      ObjectMapper mapper = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
      AuthSettings auth = AuthSettings.from(config);
      var users = UserStore.viaGuardian(system, settings.askTimeout(), system.scheduler());
      var hasher = new PasswordHasher(auth, system.dispatchers().lookup(DispatcherSelector.blocking()));
      FleetApi api = api(system, config, clock, mapper, users, hasher);

      var firstAdmin = new AtomicReference<Optional<String>>(Optional.empty());
      CompletionStage<Sensor> started = AskPattern
          .ask(system, SensorGuardian.GetStatus::new, settings.schemaTimeout(), system.scheduler())
          // The first admin is the user directory's first write: on a busy machine its recovery and first persist can
          // take longer than a request's ask, so start-up waits as long as it waits for the journal's schema.
          .thenCompose(status -> ensureAdmin(UserStore.viaGuardian(system, settings.schemaTimeout(),
              system.scheduler()), hasher, auth))
          .thenCompose(generated -> {
            firstAdmin.set(generated);
            var server = Http.get(system).newServerAt(http.host(), http.port());
            return TlsSettings.from(config).serverContext()
                .map(tls -> server.enableHttps(ConnectionContext.httpsServer(tls)))
                .orElse(server)
                .bind(api.route());
          })
          .thenCompose(binding -> record(system, settings.askTimeout(), "platform started",
              "Fleet Management on " + binding.localAddress() + ", mode " + config.getString("sensor.mode"))
              .thenApply(entry -> {
                var sensor = new Sensor(system, binding, firstAdmin.get());
                // Registered before the stage completes: whoever sees the sensor started (the launcher prints the
                // URL) may stop it at once, and the stop is then on the record. (A whenComplete callback could run
                // after the waiting caller had already been released.)
                sensor.auditStopBeforeUnbind(settings.askTimeout());
                return sensor;
              }));
      started.whenComplete((sensor, error) -> {
        if (error != null) {
          system.terminate();
        }
      });
      return started;
    }

    /** Fleet Management's routes over the running actor system. */
    private static FleetApi api(ActorSystem<SensorGuardian.Command> system, Config config, Clock clock,
        ObjectMapper mapper, UserStore directory, PasswordHasher hasher) {
      SensorSettings settings = SensorSettings.from(config);
      HttpSettings http = HttpSettings.from(config);
      AuthSettings auth = AuthSettings.from(config);
      Function<AuditRequest, CompletionStage<?>> audit = request -> AskPattern.<SensorGuardian.Command, AuditEntry>ask(
          system, r -> new SensorGuardian.RecordAudit(request, r), settings.askTimeout(), system.scheduler());
      // User changes are recorded before the directory sees them (fail closed: UserStore.auditedFirst).
      UserStore users = directory.auditedFirst(audit);
      var sessions = new Sessions(auth, clock);
      var access = new Access(sessions, users, auth, audit, mapper);
      var bodies = new Bodies(mapper, http.maxBodyBytes());
      var fleet = new AuditingFleet(new GuardianFleet(system, settings.askTimeout(), http.lifecycleTimeout()),
          audit);
      AuditQueries queries = AuditQueries.create(system);
      Supplier<CompletionStage<CaptureSupervisor.Stats>> captureStats = () -> AskPattern
          .<SensorGuardian.Command, CaptureSupervisor.Stats>askWithStatus(system,
              r -> new SensorGuardian.ToCapture(new CaptureSupervisor.GetStats(r)), settings.askTimeout(),
              system.scheduler())
          .exceptionallyCompose(e -> java.util.concurrent.CompletableFuture.failedFuture(
              unwrapped(e) instanceof org.apache.pekko.pattern.StatusReply.ErrorMessage refused
                  ? new ApiException.Unavailable("capture-unavailable", refused.getMessage()) : e));
      return new FleetApi(mapper, new ApiMetrics(fleet::list, captureStats), access, http.metricsPublic(),
          new HealthRoutes(() -> AskPattern.ask(system, SensorGuardian.GetStatus::new, settings.askTimeout(),
              system.scheduler()), clock, mapper),
          new OpenApiRoutes(),
          new AuthRoutes(access, sessions, new LoginThrottle(auth, clock), hasher, users, auth, audit, bodies, mapper,
              clock),
          new UserRoutes(access, users, hasher, sessions, auth, bodies, mapper),
          new InstrumentRoutes(fleet, access, bodies, mapper, http.lifecycleTimeout()),
          new AuditRoutes(queries::findPage, http, mapper, access),
          new NetworkRoutes(NetworkControl.of(system, settings.askTimeout()), NetworkRoutes::hostInterfaces, fleet,
              access, bodies, mapper, audit),
          new BusRoutes(new GuardianBus(system, settings.askTimeout()), access, bodies, mapper, audit),
          new UiProxyRoutes(system, ChannelSettings.from(config).runtimeRoot(), access, mapper, audit,
              new io.sensorfleet.actors.instrument.UiKeys(
                  io.sensorfleet.actors.instrument.InstrumentSettings.from(config).uiKeysDir()), clock),
          new CaptureRoutes(captureStats, access, mapper), new ConsoleRoutes());
    }

    private static Throwable unwrapped(Throwable e) {
      Throwable t = e;
      while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
        t = t.getCause();
      }
      return t;
    }

    /**
     * On the first start (no user yet) creates {@code admin} with the configured password, or a generated one,
     * which is returned so it can be shown once. Later starts change nothing.
     */
    private static CompletionStage<Optional<String>> ensureAdmin(UserStore users, PasswordHasher hasher,
        AuthSettings auth) {
      String password = auth.adminPassword().orElseGet(Main::generatePassword);
      return hasher.hash(password).thenCompose(users::ensureAdmin).thenApply(created ->
          created && auth.adminPassword().isEmpty() ? Optional.of(password) : Optional.<String>empty());
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
