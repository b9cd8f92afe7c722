package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sensorfleet.actors.SensorGuardian;
import io.sensorfleet.actors.StubNetwork;
import io.sensorfleet.actors.user.UserDirectory;
import io.sensorfleet.audit.AuditEntry;
import io.sensorfleet.audit.AuditFilter;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Role;
import io.sensorfleet.http.auth.Access;
import io.sensorfleet.http.auth.AuthRoutes;
import io.sensorfleet.http.auth.AuthSettings;
import io.sensorfleet.http.auth.LoginThrottle;
import io.sensorfleet.http.auth.PasswordHasher;
import io.sensorfleet.http.auth.Sessions;
import io.sensorfleet.http.auth.UserRoutes;
import io.sensorfleet.http.auth.UserStore;
import io.sensorfleet.sdk.testing.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The whole API as the sensor builds it, with the real {@link UserDirectory} (in-memory journal), a
 * {@link FakeFleet}, a hand-moved clock and a recorder for audit entries. One per test class; tests use their own
 * user names. Every user's password is {@code <name>-password-1}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ApiRouteTest extends JupiterRouteTest {

  static final Config CONFIG = ConfigFactory.parseString("""
      sensor.http.auth.argon2 { memory-kib = 1024, iterations = 1 }
      sensor.http.auth.throttle { per-user = 3, per-source = 6, window = 15m }
      sensor.http.auth.session-idle = 30m
      sensor.http.max-body = 4k
      """).withFallback(EventSourcedBehaviorTestKit.config()).withFallback(ActorTestKit.applicationTestConfig());

  final ActorTestKit kit = ActorTestKit.create(getClass().getSimpleName(), CONFIG);
  final ObjectMapper mapper = JacksonObjectMapperProvider.get(kit.system()).getOrCreate("jackson-json",
      Optional.empty());
  final MutableClock clock = new MutableClock(FakeFleet.T0);
  final FakeFleet fleet = new FakeFleet();
  final FakeBus bus = new FakeBus();
  /** The runtime root where tests put UI sockets ({@code <root>/ui/<id>.sock}). */
  final java.nio.file.Path uiRoot = temporaryDirectory("sf-ui");
  final io.sensorfleet.actors.instrument.UiKeys uiKeys =
      new io.sensorfleet.actors.instrument.UiKeys(temporaryDirectory("sf-ui-keys"));

  private static java.nio.file.Path temporaryDirectory(String prefix) {
    try {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(prefix);
      dir.toFile().deleteOnExit();
      return dir;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
  /** Entries written by the routes (Access, login) and by the user directory, in order. */
  final List<AuditRequest> audited = new CopyOnWriteArrayList<>();
  /** While set, the routes' audit records fail as they do when the journal cannot be written. */
  volatile boolean journalDown;
  /** The network allowlist in force, as the sensor's NetworkStore puts it there (br-lan, eth2, capture eth1). */
  final StubNetwork networkProvisioner = new StubNetwork(new io.sensorfleet.core.network.NetworkAllowlist(
      Set.of("br-lan"), Set.of("eth2"), Set.of("eth1")));
  /** What the audit routes' queries answer. */
  volatile Function<AuditFilter, CompletionStage<List<AuditEntry>>> auditPages =
      f -> CompletableFuture.completedFuture(List.of());
  /** What the guardian answers the health route. */
  volatile java.util.function.Supplier<CompletionStage<SensorGuardian.Status>> health =
      () -> CompletableFuture.completedFuture(new SensorGuardian.Status("sensor-t", SensorGuardian.Phase.RUNNING,
          FakeFleet.T0));
  /** What the Capture Engine's supervisor answers (not running, by default). */
  volatile java.util.function.Supplier<CompletionStage<io.sensorfleet.actors.capture.CaptureSupervisor.Stats>>
      capture = () -> CompletableFuture.failedFuture(new ApiException.Unavailable("capture-unavailable",
          "the capture engine is not running: no capture interface is configured"));
  final HttpSettings http = HttpSettings.from(kit.system().settings().config());
  final AuthSettings auth = AuthSettings.from(kit.system().settings().config());
  final PasswordHasher hasher = new PasswordHasher(auth, Runnable::run);
  final UserStore users;
  final FleetApi api;
  private final Function<AuditRequest, CompletionStage<?>> audit;
  private final org.apache.pekko.actor.typed.ActorRef<AuditLog.Command> auditLog;
  private final Sessions sessions;
  final Access access;
  private final Bodies bodies;

  ApiRouteTest() {
    auditLog = kit.spawn(Behaviors.<AuditLog.Command>receiveMessage(command -> {
      audited.add(((AuditLog.Record) command).request());
      return Behaviors.same();
    }));
    var directory = UserStore.of(kit.spawn(UserDirectory.create(auditLog, clock)), Duration.ofSeconds(5),
        kit.system().scheduler());
    directory.ensureAdmin(hasher.hash("admin-password-1").toCompletableFuture().join()).toCompletableFuture().join();
    audit = request -> {
      if (journalDown) {
        return CompletableFuture.failedFuture(new io.sensorfleet.actors.JournalUnavailable(
            new java.io.IOException("No space left on device")));
      }
      audited.add(request);
      return CompletableFuture.completedFuture(null);
    };
    users = directory.auditedFirst(audit);
    sessions = new Sessions(auth, clock);
    access = new Access(sessions, users, auth, audit, mapper);
    bodies = new Bodies(mapper, http.maxBodyBytes());
    api = api(http.metricsPublic());
  }

  /** The API over this class's users, fleet, clock and audit recorder. */
  FleetApi api(boolean metricsPublic) {
    return new FleetApi(mapper, new ApiMetrics(fleet::list, () -> capture.get()), access, metricsPublic,
        new HealthRoutes(() -> health.get(), clock, mapper),
        new OpenApiRoutes(),
        new AuthRoutes(access, sessions, new LoginThrottle(auth, clock), hasher, users, auth, audit, bodies, mapper,
            clock),
        new UserRoutes(access, users, hasher, sessions, auth, bodies, mapper),
        new InstrumentRoutes(new AuditingFleet(fleet, audit), access, bodies, mapper, Duration.ofSeconds(5),
            Duration.ofMillis(50)),
        new AuditRoutes(f -> auditPages.apply(f), http, mapper, access),
        new NetworkRoutes(NetworkControl.of(kit.spawn(io.sensorfleet.actors.network.NetworkStore.create(
            networkProvisioner, auditLog, clock)), Duration.ofSeconds(5), kit.system().scheduler()),
            () -> List.of(
            new io.sensorfleet.http.json.NetworkView.HostInterface("eth0", true, false, List.of("192.0.2.5/24"), "host"),
            new io.sensorfleet.http.json.NetworkView.HostInterface("eth1", true, false, List.of(), "host"),
            new io.sensorfleet.http.json.NetworkView.HostInterface("br-lan", true, false, List.of(), "host")),
            fleet, access, bodies, mapper, audit),
        new BusRoutes(bus, access, bodies, mapper, audit),
        new UiProxyRoutes(kit.system(), uiRoot, access, mapper, audit, uiKeys, clock),
        new CaptureRoutes(() -> capture.get(), access, mapper),
        new ConsoleRoutes(ConsoleRoutesTest.ROOT, getClass().getClassLoader()));
  }

  @Override
  protected org.apache.pekko.actor.typed.ActorSystem<?> typedSystem() {
    return kit.system();
  }

  @AfterAll
  void shutdown() {
    kit.shutdownTestKit();
  }

  TestRoute app() {
    return testRoute(api.route());
  }

  Route route() {
    return api.route();
  }

  /**
   * Creates {@code name} with {@code role} (and UI grants), straight in the directory, and waits for the directory's
   * own "user created" entry: it reaches the recorder through the audit actor after the reply, so a test counting
   * entries would otherwise see it arrive late.
   */
  void user(String name, Role role, InstrumentId... grants) {
    users.create(name, hasher.hash(name + "-password-1").toCompletableFuture().join(), role, Set.of(grants),
        io.sensorfleet.audit.Principal.user("admin")).toCompletableFuture().join();
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(10), () -> {
      org.junit.jupiter.api.Assertions.assertTrue(audited.stream().anyMatch(r -> r.action().equals("user created")
          && ("user:" + name).equals(r.target())), "the directory recorded the creation of " + name);
      return null;
    });
  }

  /** Logs {@code name} in; its bearer token. */
  String login(String name) {
    var response = app().run(HttpRequest.POST("/api/v1/login").withEntity(
        org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON,
        "{\"username\":\"" + name + "\",\"password\":\"" + name + "-password-1\"}"));
    response.assertStatusCode(200);
    return json(response.entityString()).get("token").asText();
  }

  static HttpRequest as(String token, HttpRequest request) {
    return request.addHeader(RawHeader.create("Authorization", "Bearer " + token));
  }

  JsonNode json(String body) {
    try {
      return mapper.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  /** The code of an {@code ApiError} body. */
  String code(String body) {
    return json(body).get("code").asText();
  }

  void assertCode(String expected, String body) {
    assertEquals(expected, code(body), body);
  }
}
