package io.sensorfleet.lxd;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sensorfleet.core.runtime.ContainerFile;
import io.sensorfleet.core.runtime.ContainerInfo;
import io.sensorfleet.core.runtime.ContainerRuntime;
import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.core.runtime.ContainerSelector;
import io.sensorfleet.core.runtime.ContainerSpec;
import io.sensorfleet.core.runtime.ContainerState;
import io.sensorfleet.core.runtime.Device;
import io.sensorfleet.core.runtime.ExecRequest;
import io.sensorfleet.core.runtime.ExecResult;
import io.sensorfleet.core.runtime.LifecycleEvent;
import io.sensorfleet.core.runtime.StorageVolume;
import io.sensorfleet.core.runtime.VolumeSpec;
import io.sensorfleet.lxd.internal.GatedSubscriber;
import io.sensorfleet.lxd.internal.LxdHttp;
import io.sensorfleet.lxd.internal.LxdJson;
import io.sensorfleet.lxd.internal.UnixSocketTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.JavaFlowSupport;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The {@link ContainerRuntime} on LXD (or Incus), over its REST API on the daemon's unix socket: the Pekko HTTP
 * client with a unix-socket transport, JSON with Jackson, asynchronous operations waited for. Nothing blocks a
 * Pekko thread: the socket is non-blocking ({@link UnixSocketTransport}), woken by one selector thread.
 *
 * <p>Containers are created without profiles (unless {@code sensor.lxd.profiles} names some), with a root disk
 * on {@code sensor.lxd.storage-pool}, so that they inherit no NIC or host path from a profile.
 *
 * <p>Call {@code Http.get(system).shutdownAllConnectionPools()} before terminating the actor system, or Pekko
 * logs that the pool shut down unexpectedly.
 */
public final class LxdRuntime implements ContainerRuntime {

  private static final String INSTANCES = "/1.0/instances/";
  private static final Duration EVENT_FRAME_TIMEOUT = Duration.ofSeconds(10);

  private final LxdSettings settings;
  private final LxdHttp lxd;
  private final Http http;
  private final Materializer materializer;
  private final LoggingAdapter log;
  private final ClientConnectionSettings eventConnection;
  /** The last create asked for: the next one starts when it has ended (see {@link #create}). */
  private final AtomicReference<CompletableFuture<Void>> createTail =
      new AtomicReference<>(CompletableFuture.completedFuture(null));

  private LxdRuntime(ClassicActorSystemProvider system, LxdSettings settings) {
    this.settings = settings;
    var classic = system.classicSystem();
    this.http = Http.get(classic);
    this.materializer = Materializer.matFromSystem(system);
    this.log = Logging.getLogger(classic, LxdRuntime.class);
    var transport = new UnixSocketTransport(settings.socket());
    Config config = classic.settings().config();
    // A connection waiting for an operation is silent for up to operation-timeout: keep it open beyond that.
    Config poolConfig = ConfigFactory.parseMap(Map.of(
            "pekko.http.host-connection-pool.client.idle-timeout",
            settings.operationTimeout().plusSeconds(30).toMillis() + "ms",
            "pekko.http.host-connection-pool.client.parsing.max-content-length", settings.maxResponseBytes()))
        .withFallback(config);
    ConnectionPoolSettings pool = ConnectionPoolSettings.create(poolConfig)
        .withMaxConnections(settings.maxConnections())
        .withMaxOpenRequests(settings.maxOpenRequests())
        // Retrying is the caller's decision: a POST that reached LXD must not be sent twice.
        .withMaxRetries(0)
        .withTransport(transport);
    Config eventsConfig = ConfigFactory.parseMap(Map.of(
            "pekko.http.client.idle-timeout", "infinite",
            "pekko.http.client.websocket.periodic-keep-alive-max-idle",
            settings.eventsKeepAlive().toMillis() + "ms"))
        .withFallback(config);
    this.eventConnection = ClientConnectionSettings.create(eventsConfig).withTransport(transport);
    this.lxd = new LxdHttp(http, pool, materializer, log, settings);
  }

  /**
   * The runtime configured from {@code sensor.lxd} in the system's config. Works with a typed or classic actor
   * system; the runtime holds no actors and needs no stopping beyond the system's HTTP pools.
   */
  public static LxdRuntime create(ClassicActorSystemProvider system) {
    return create(system, LxdSettings.fromRootConfig(system.classicSystem().settings().config()));
  }

  /** The runtime with explicit settings (another socket, a private daemon). */
  public static LxdRuntime create(ClassicActorSystemProvider system, LxdSettings settings) {
    return new LxdRuntime(system, settings);
  }

  public LxdSettings settings() {
    return settings;
  }

  /** {@code GET /1.0}: which daemon answers, and whether it trusts us (over the socket: {@code trusted}). */
  public CompletionStage<LxdServerInfo> serverInfo() {
    return settle(lxd.call("server info", LxdHttp.get("/1.0")).thenApply(LxdJson::serverInfo));
  }

  /** Whether the local image alias exists (e.g. {@code sensorfleet/base}, imported by setup). */
  public CompletionStage<Boolean> hasImageAlias(String alias) {
    return settle(lxd.call("image alias " + alias, LxdHttp.get("/1.0/images/aliases/" + alias))
        .thenApply(found -> true)
        .exceptionallyCompose(failure -> ContainerRuntimeException.of(failure)
            .filter(ContainerRuntimeException.NotFound.class::isInstance).isPresent()
            ? CompletableFuture.completedFuture(false)
            : CompletableFuture.failedFuture(failure)));
  }

  // ---- lifecycle

  /**
   * Creates one container at a time, each after the previous create's operation has ended (however it ended):
   * LXD 5.0.2 hands out overlapping or invalid uid ranges to isolated containers created concurrently
   * (docs/lxd-setup.md, "Concurrent lxc init"), and a sensor restart that finds its containers gone recreates them
   * all at once.
   */
  @Override
  public CompletionStage<Void> create(ContainerSpec spec) {
    var body = LxdJson.createInstance(spec, settings.storagePool(), settings.profiles());
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> previous = createTail.getAndSet(mine);
    CompletionStage<Void> created = previous.thenCompose(v ->
        done(lxd.call("create " + spec.name(), LxdHttp.json(HttpMethods.POST, "/1.0/instances", body))));
    created.whenComplete((v, e) -> mine.complete(null));
    return created;
  }

  @Override
  public CompletionStage<Void> start(String name) {
    return done(changeState("start " + name, name, "start", 0, false));
  }

  @Override
  public CompletionStage<Void> stop(String name) {
    return stop(name, settings.stopTimeout());
  }

  @Override
  public CompletionStage<Void> stop(String name, Duration gracePeriod) {
    String action = "stop " + name;
    if (gracePeriod.isZero() || gracePeriod.isNegative()) {
      return done(changeState(action, name, "stop", -1, true));
    }
    int seconds = (int) Math.max(1, (gracePeriod.toMillis() + 999) / 1000);
    CompletionStage<JsonNode> graceful = changeState(action, name, "stop", seconds, false);
    return done(graceful.exceptionallyCompose(failure -> {
      Optional<ContainerRuntimeException> known = ContainerRuntimeException.of(failure);
      if (known.isEmpty() || known.get() instanceof ContainerRuntimeException.NotFound
          || known.get() instanceof ContainerRuntimeException.Conflict
          || known.get() instanceof ContainerRuntimeException.Unreachable) {
        return CompletableFuture.failedFuture(failure);
      }
      // LXD gave up waiting for init: force it. It may have stopped meanwhile, which is what we wanted.
      log.debug("{}: graceful stop did not finish within {} s, forcing it", name, seconds);
      return changeState(action + " (forced)", name, "stop", -1, true).exceptionallyCompose(
          forced -> ContainerRuntimeException.of(forced).filter(LxdRuntime::isAlreadyStopped).isPresent()
              ? CompletableFuture.completedFuture(null)
              : CompletableFuture.failedFuture(forced));
    }));
  }

  @Override
  public CompletionStage<Void> delete(String name) {
    return done(lxd.call("delete " + name, LxdHttp.delete(instance(name))));
  }

  @Override
  public CompletionStage<ContainerState> state(String name) {
    return settle(lxd.call("state " + name, LxdHttp.get(instance(name) + "/state"))
        .thenApply(s -> LxdJson.state(name, s)));
  }

  @Override
  public CompletionStage<ContainerInfo> info(String name) {
    return settle(lxd.call("info " + name, LxdHttp.get(instance(name))).thenApply(LxdJson::instance));
  }

  @Override
  public CompletionStage<List<ContainerInfo>> list(ContainerSelector selector) {
    return settle(lxd.call("list containers", LxdHttp.get("/1.0/instances?recursion=1"))
        .thenApply(array -> LxdJson.instances(array).stream()
            .filter(i -> selector.matches(i.name(), i.labels()))
            .toList()));
  }

  // ---- exec and files

  @Override
  public CompletionStage<ExecResult> exec(String name, ExecRequest request) {
    String action = "exec " + name + " " + request.command().getFirst();
    var post = LxdHttp.json(HttpMethods.POST, instance(name) + "/exec", LxdJson.exec(request));
    return settle(lxd.call(action, post).thenCompose(result -> {
      LxdJson.ExecOutcome outcome = LxdJson.execOutcome(result);
      CompletionStage<String> stdout = fetchLog(action, outcome.stdoutLog());
      CompletionStage<String> stderr = fetchLog(action, outcome.stderrLog());
      return stdout.thenCombine(stderr, (out, err) -> new ExecResult(outcome.exitCode(), out, err));
    }));
  }

  /** Reads a recorded output log, then deletes it (LXD keeps them until the container is deleted). */
  private CompletionStage<String> fetchLog(String action, String path) {
    if (path.isEmpty()) {
      return CompletableFuture.completedFuture("");
    }
    return lxd.raw(action + " (output)", LxdHttp.get(path)).thenCompose(reply -> {
      String text = new String(reply.body(), StandardCharsets.UTF_8);
      return lxd.call(action + " (delete output)", LxdHttp.delete(path))
          .handle((ignored, failure) -> {
            if (failure != null) {
              log.warning("{}: could not delete the output log {}: {}", action, path, failure.getMessage());
            }
            return text;
          });
    });
  }

  @Override
  public CompletionStage<Void> pushFile(String name, String path, ContainerFile file) {
    LxdDialect d = settings.dialect();
    HttpRequest request = HttpRequest.create()
        .withMethod(HttpMethods.POST)
        .withUri(LxdHttp.uri(instance(name) + "/files", "path", path))
        .addHeader(RawHeader.create(d.fileHeader("uid"), Integer.toString(file.uid())))
        .addHeader(RawHeader.create(d.fileHeader("gid"), Integer.toString(file.gid())))
        .addHeader(RawHeader.create(d.fileHeader("mode"), String.format("%04o", file.mode())))
        .addHeader(RawHeader.create(d.fileHeader("type"), "file"))
        .addHeader(RawHeader.create(d.fileHeader("write"), "overwrite"))
        // Without this content type LXD writes an empty file (lxd.md).
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, file.content()));
    return done(lxd.call("push " + name + ":" + path, request));
  }

  @Override
  public CompletionStage<ContainerFile> pullFile(String name, String path) {
    String action = "pull " + name + ":" + path;
    LxdDialect d = settings.dialect();
    var request = HttpRequest.create().withMethod(HttpMethods.GET)
        .withUri(LxdHttp.uri(instance(name) + "/files", "path", path));
    return settle(lxd.raw(action, request).thenApply(reply -> {
      String type = reply.header(d.fileHeader("type"));
      if (!type.equals("file")) {
        throw new ContainerRuntimeException.InvalidRequest(action, reply.status(),
            "not a regular file (" + (type.isEmpty() ? "no type" : type) + ")");
      }
      return new ContainerFile(reply.body(), intHeader(reply, d.fileHeader("uid"), 10),
          intHeader(reply, d.fileHeader("gid"), 10), intHeader(reply, d.fileHeader("mode"), 8));
    }));
  }

  private static int intHeader(LxdHttp.Reply reply, String name, int radix) {
    String value = reply.header(name);
    try {
      return Integer.parseInt(value, radix);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("LXD sent " + name + ": '" + value + "'");
    }
  }

  // ---- config

  @Override
  public CompletionStage<Void> setConfig(String name, Map<String, String> config) {
    String action = "set config " + String.join(", ", config.keySet()) + " of " + name;
    return done(lxd.call(action, LxdHttp.json(HttpMethods.PATCH, instance(name), LxdJson.setConfig(config))));
  }

  // ---- devices

  @Override
  public CompletionStage<Void> addDevice(String name, String deviceName, Device device) {
    ContainerSpec.requireDeviceName(deviceName);
    String action = "add device " + deviceName + " to " + name;
    return done(lxd.callWithHeaders(action, LxdHttp.get(instance(name))).thenCompose(current -> {
      if (current.first().path("devices").has(deviceName)) {
        throw new ContainerRuntimeException.AlreadyExists(action, 0,
            "The device already exists");
      }
      // PATCH merges the devices map; If-Match makes it fail, not overwrite, if the device appeared meanwhile.
      var patch = LxdHttp.json(HttpMethods.PATCH, instance(name), LxdJson.addDevice(deviceName, device))
          .addHeader(RawHeader.create("If-Match", current.second().header("etag")));
      return lxd.call(action, patch);
    }));
  }

  @Override
  public CompletionStage<Void> removeDevice(String name, String deviceName) {
    String action = "remove device " + deviceName + " from " + name;
    return done(lxd.callWithHeaders(action, LxdHttp.get(instance(name))).thenCompose(current -> {
      if (!current.first().path("devices").has(deviceName)) {
        throw new ContainerRuntimeException.NotFound(action, 0, "The instance has no device of that name");
      }
      var put = LxdHttp.json(HttpMethods.PUT, instance(name), LxdJson.withoutDevice(current.first(), deviceName))
          .addHeader(RawHeader.create("If-Match", current.second().header("etag")));
      return lxd.call(action, put);
    }));
  }

  // ---- storage volumes

  @Override
  public CompletionStage<Void> createVolume(VolumeSpec spec) {
    var post = LxdHttp.json(HttpMethods.POST, volumes(spec.pool()), LxdJson.createVolume(spec));
    return done(lxd.call("create volume " + spec.pool() + "/" + spec.name(), post));
  }

  @Override
  public CompletionStage<Void> deleteVolume(String pool, String volume) {
    return done(lxd.call("delete volume " + pool + "/" + volume, LxdHttp.delete(volumes(pool) + "/" + volume)));
  }

  @Override
  public CompletionStage<List<StorageVolume>> listVolumes(String pool) {
    return settle(lxd.call("list volumes of " + pool, LxdHttp.get(volumes(pool) + "?recursion=1"))
        .thenApply(array -> LxdJson.volumes(pool, array)));
  }

  // ---- events

  /**
   * LXD's lifecycle events as a Pekko stream. It connects when materialized; the materialized stage completes
   * once LXD has accepted the event connection (fails with {@code Unreachable} if it cannot), so events from
   * then on are seen. The stream fails with {@code Unreachable} when the connection breaks and completes if LXD
   * closes it (daemon shutdown); cancel it to disconnect.
   */
  public Source<LifecycleEvent, CompletionStage<Done>> lifecycleEventSource() {
    String action = "lifecycle events";
    var request = WebSocketRequest.create("ws://lxd/1.0/events?type=lifecycle");
    var webSocket = http.webSocketClientFlow(request, ConnectionContext.noEncryption(), Optional.empty(),
        eventConnection, log);
    return Source.<Message>maybe()
        .viaMat(webSocket, Keep.right())
        .mapMaterializedValue(upgrade -> settle(upgrade
            .exceptionallyCompose(failure -> CompletableFuture.failedFuture(
                new ContainerRuntimeException.Unreachable(action, "cannot connect: " + failure.getMessage(), failure)))
            .thenApply(response -> {
              if (!response.isValid()
                  || !response.response().status().equals(StatusCodes.SWITCHING_PROTOCOLS)) {
                throw new ContainerRuntimeException.Unreachable(action,
                    "LXD refused the event stream: " + response.invalidationReason(), null);
              }
              return Done.done();
            })))
        .mapAsync(1, this::frameText)
        .mapConcat(frame -> frame.flatMap(LxdJson::lifecycleEvent).stream().toList())
        .mapError(Throwable.class, failure -> failure instanceof ContainerRuntimeException
            ? failure
            : new ContainerRuntimeException.Unreachable(action, "event stream broke: " + failure, failure))
        .named("lxd-lifecycle-events");
  }

  @Override
  public Flow.Publisher<LifecycleEvent> lifecycleEvents() {
    return subscriber -> {
      var gate = new GatedSubscriber<LifecycleEvent>(subscriber);
      lifecycleEventSource()
          .toMat(JavaFlowSupport.Sink.fromSubscriber(gate), Keep.left())
          .run(materializer)
          .whenComplete((connected, failure) -> gate.open(failure == null ? null : LxdHttp.unwrap(failure)));
    };
  }

  private CompletionStage<Optional<String>> frameText(Message message) {
    if (message.isText()) {
      return message.asTextMessage().toStrict(EVENT_FRAME_TIMEOUT.toMillis(), materializer)
          .thenApply(strict -> Optional.of(strict.getStrictText()));
    }
    return message.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), materializer)
        .thenApply(done -> Optional.empty());
  }

  // ---- helpers

  private CompletionStage<JsonNode> changeState(String action, String name, String verb, int timeout,
      boolean force) {
    return lxd.call(action, LxdHttp.json(HttpMethods.PUT, instance(name) + "/state",
        LxdJson.stateChange(verb, timeout, force)));
  }

  private static boolean isAlreadyStopped(ContainerRuntimeException e) {
    return e instanceof ContainerRuntimeException.Conflict
        && e.managerMessage().toLowerCase(Locale.ROOT).contains("already stopped");
  }

  private static String instance(String name) {
    return INSTANCES + ContainerSpec.requireName(name);
  }

  private static String volumes(String pool) {
    return "/1.0/storage-pools/" + pool + "/volumes/custom";
  }

  private static CompletionStage<Void> done(CompletionStage<?> stage) {
    return settle(stage.thenApply(ignored -> null));
  }

  /**
   * The same outcome on a fresh future whose failure is the {@link ContainerRuntimeException} itself, not wrapped
   * in a {@code CompletionException}; anything else (a bug, a protocol surprise) becomes {@code Unreachable}.
   */
  private static <T> CompletionStage<T> settle(CompletionStage<T> stage) {
    var out = new CompletableFuture<T>();
    stage.whenComplete((value, failure) -> {
      if (failure == null) {
        out.complete(value);
        return;
      }
      Throwable cause = LxdHttp.unwrap(failure);
      out.completeExceptionally(cause instanceof ContainerRuntimeException
          ? cause
          : new ContainerRuntimeException.Unreachable("LXD call", "unexpected failure: " + cause, cause));
    });
    return out;
  }
}
