package io.sensorfleet.lxd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.sensorfleet.core.runtime.ContainerFile;
import io.sensorfleet.core.runtime.ContainerInfo;
import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.core.runtime.ContainerSelector;
import io.sensorfleet.core.runtime.ContainerSpec;
import io.sensorfleet.core.runtime.Device;
import io.sensorfleet.core.runtime.ExecResult;
import io.sensorfleet.core.runtime.LifecycleEvent;
import io.sensorfleet.lxd.FakeLxd.Request;
import io.sensorfleet.lxd.FakeLxd.Response;
import io.sensorfleet.lxd.internal.LxdJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter against {@link FakeLxd}: the requests it sends and what it makes of LXD's answers. */
class LxdRuntimeTest {

  static ActorSystem system;
  static LxdSettings settings;
  @TempDir static Path dir;

  @BeforeAll
  static void startSystem() {
    system = ActorSystem.create("lxd-runtime-test");
    settings = LxdSettings.fromConfig(ConfigFactory.load().getConfig("sensor.lxd"), Map.of())
        .withOperationTimeout(Duration.ofSeconds(5));
  }

  @AfterAll
  static void stopSystem() throws Exception {
    Http.get(system).shutdownAllConnectionPools().toCompletableFuture().get(10, TimeUnit.SECONDS);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void create_sends_the_spec_without_profiles_and_with_a_root_disk_then_waits_for_the_operation() throws Exception {
    try (var lxd = fake(r -> switch (r.line()) {
      case "POST /1.0/instances" -> Response.async("op1");
      case "GET /1.0/operations/op1/wait?timeout=5" -> Response.operation("Success", 200, "", "{}");
      default -> unexpected(r);
    })) {
      var spec = ContainerSpec.of("sf-ids", "sensorfleet/base").withConfig("limits.cpu", "1").withLabel("role", "x")
          .withDevice("bus", new Device.Disk("/run/sf-bus/ids", "/run/bus", false));
      await(runtime(lxd).create(spec));

      JsonNode body = json(lxd.request("POST /1.0/instances"));
      assertEquals("sf-ids", body.path("name").asText());
      assertEquals("sensorfleet/base", body.path("source").path("alias").asText());
      assertEquals(0, body.path("profiles").size());
      assertEquals("{\"type\":\"disk\",\"path\":\"/\",\"pool\":\"default\"}", body.path("devices").path("root").toString());
      assertEquals("{\"type\":\"disk\",\"source\":\"/run/sf-bus/ids\",\"path\":\"/run/bus\"}",
          body.path("devices").path("bus").toString());
      assertEquals("x", body.path("config").path("user.role").asText());
      assertEquals("application/json", lxd.request("POST /1.0/instances").headers().get("content-type"));
    }
  }

  @Test
  void creates_asked_for_at_once_reach_lxd_one_after_another() throws Exception {
    // LXD gives concurrently created isolated containers overlapping uid ranges (docs/lxd-setup.md): the second
    // create is sent only once the first's operation has ended. The first operation's answer is held back for up
    // to 2 s, or until the second create arrives (which would be the bug).
    var seen = new java.util.concurrent.CopyOnWriteArrayList<String>();
    var secondArrived = new java.util.concurrent.CountDownLatch(1);
    try (var lxd = fake(r -> switch (r.line()) {
      case "POST /1.0/instances" -> {
        String name = json(r).path("name").asText();
        seen.add("create " + name);
        if (name.equals("sf-b")) {
          secondArrived.countDown();
        }
        yield Response.async("op-" + name);
      }
      case "GET /1.0/operations/op-sf-a/wait?timeout=5" -> {
        try {
          secondArrived.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        seen.add("done sf-a");
        yield Response.operation("Success", 200, "", "{}");
      }
      case "GET /1.0/operations/op-sf-b/wait?timeout=5" -> {
        seen.add("done sf-b");
        yield Response.operation("Success", 200, "", "{}");
      }
      default -> unexpected(r);
    })) {
      var runtime = runtime(lxd);
      var a = runtime.create(ContainerSpec.of("sf-a", "sensorfleet/base"));
      var b = runtime.create(ContainerSpec.of("sf-b", "sensorfleet/base"));
      await(a);
      await(b);
      assertEquals(List.of("create sf-a", "done sf-a", "create sf-b", "done sf-b"), seen);
    }
  }

  @Test
  void a_failed_operation_becomes_a_typed_failure_with_lxds_message() throws Exception {
    try (var lxd = fake(r -> switch (r.line()) {
      case "POST /1.0/instances" -> Response.async("op2");
      case "GET /1.0/operations/op2/wait?timeout=5" -> Response.operation("Failure", 400,
          "Failed creating instance record: Add instance info to the database: This \\\"instances\\\" entry already exists",
          "null");
      default -> unexpected(r);
    })) {
      var failure = failure(runtime(lxd).create(ContainerSpec.of("sf-ids", "sensorfleet/base")));
      var exists = assertInstanceOf(ContainerRuntimeException.AlreadyExists.class, failure);
      assertEquals(400, exists.status());
      assertTrue(exists.managerMessage().endsWith("This \"instances\" entry already exists"), exists.getMessage());
    }
  }

  @Test
  void an_operation_still_running_after_the_wait_is_a_timeout() throws Exception {
    try (var lxd = fake(r -> switch (r.line()) {
      case "PUT /1.0/instances/sf-ids/state" -> Response.async("op3");
      case "GET /1.0/operations/op3/wait?timeout=5" -> Response.operation("Running", 103, "", "null");
      default -> unexpected(r);
    })) {
      assertInstanceOf(ContainerRuntimeException.Timeout.class, failure(runtime(lxd).start("sf-ids")));
    }
  }

  @Test
  void an_error_response_keeps_lxds_status_and_message() throws Exception {
    try (var lxd = fake(r -> Response.resource("error-not-found.json"))) {
      var notFound = assertInstanceOf(ContainerRuntimeException.NotFound.class,
          failure(runtime(lxd).state("sf-ids")));
      assertEquals(404, notFound.status());
      assertEquals("Instance not found", notFound.managerMessage());
    }
  }

  @Test
  void exec_records_the_output_then_reads_and_deletes_both_logs() throws Exception {
    final String logs = "/1.0/instances/sf-ids/logs/exec_op4";
    try (var lxd = fake(r -> switch (r.line()) {
      case "POST /1.0/instances/sf-ids/exec" -> Response.async("op4");
      case "GET /1.0/operations/op4/wait?timeout=5" -> Response.operation("Success", 200, "",
          "{\"output\":{\"1\":\"" + logs + ".stdout\",\"2\":\"" + logs + ".stderr\"},\"return\":3}");
      case "GET " + logs + ".stdout" -> Response.bytes("out\n".getBytes(StandardCharsets.UTF_8), Map.of());
      case "GET " + logs + ".stderr" -> Response.bytes("err\n".getBytes(StandardCharsets.UTF_8), Map.of());
      case "DELETE " + logs + ".stdout", "DELETE " + logs + ".stderr" -> Response.sync("{}");
      default -> unexpected(r);
    })) {
      ExecResult result = await(runtime(lxd).exec("sf-ids", "sh", "-c", "exit 3"));

      assertEquals(new ExecResult(3, "out\n", "err\n"), result);
      JsonNode body = json(lxd.request("POST /1.0/instances/sf-ids/exec"));
      assertEquals("[\"sh\",\"-c\",\"exit 3\"]", body.path("command").toString());
      assertTrue(body.path("record-output").asBoolean());
      assertEquals(false, body.path("wait-for-websocket").asBoolean(true));
      lxd.request("DELETE " + logs + ".stdout");
      lxd.request("DELETE " + logs + ".stderr");
    }
  }

  @Test
  void push_sends_the_bytes_as_octet_stream_with_lxds_file_headers() throws Exception {
    try (var lxd = fake(r -> Response.sync("{}"))) {
      byte[] content = {1, 2, 3};
      await(runtime(lxd).pushFile("sf-ids", "/etc/sensor/app.conf", new ContainerFile(content, 1000, 1001, 0640)));

      Request push = lxd.requests.getFirst();
      assertEquals("POST", push.method());
      assertEquals("/1.0/instances/sf-ids/files?path=/etc/sensor/app.conf", push.target());
      assertEquals("application/octet-stream", push.headers().get("content-type"));
      assertEquals("1000", push.headers().get("x-lxd-uid"));
      assertEquals("1001", push.headers().get("x-lxd-gid"));
      assertEquals("0640", push.headers().get("x-lxd-mode"));
      assertEquals("file", push.headers().get("x-lxd-type"));
      assertEquals("overwrite", push.headers().get("x-lxd-write"));
      assertArrayEquals(content, push.body());
    }
  }

  @Test
  void the_incus_dialect_sends_incus_file_headers() throws Exception {
    try (var lxd = fake(r -> Response.sync("{}"))) {
      var incus = LxdRuntime.create(system, new LxdSettings(lxd.socket, LxdDialect.INCUS, settings.operationTimeout(),
          settings.stopTimeout(), "default", List.of(), 4, 64, 1 << 20, Duration.ofSeconds(30)));
      await(incus.pushFile("sf-ids", "/tmp/x", ContainerFile.of(new byte[] {1})));
      assertEquals("0644", lxd.requests.getFirst().headers().get("x-incus-mode"));
    }
  }

  @Test
  void pull_reads_owner_and_mode_from_the_headers() throws Exception {
    try (var lxd = fake(r -> Response.bytes("hello".getBytes(StandardCharsets.UTF_8),
        Map.of("X-Lxd-Uid", "12", "X-Lxd-Gid", "34", "X-Lxd-Mode", "0640", "X-Lxd-Type", "file")))) {
      assertEquals(new ContainerFile("hello".getBytes(StandardCharsets.UTF_8), 12, 34, 0640),
          await(runtime(lxd).pullFile("sf-ids", "/tmp/x")));
    }
  }

  @Test
  void adding_a_device_patches_it_in_under_the_etag_just_read() throws Exception {
    try (var lxd = fake(r -> switch (r.line()) {
      case "GET /1.0/instances/sft-cap" -> withEtag(Response.resource("instance.json"), "\"e1\"");
      case "PATCH /1.0/instances/sft-cap" -> Response.sync("{}");
      default -> unexpected(r);
    })) {
      await(runtime(lxd).addDevice("sft-cap", "ui2", new Device.Proxy("unix:/run/ui.sock", "tcp:127.0.0.1:80",
          Device.Proxy.Bind.HOST)));

      Request patch = lxd.request("PATCH /1.0/instances/sft-cap");
      assertEquals("\"e1\"", patch.headers().get("if-match"));
      assertEquals("{\"devices\":{\"ui2\":{\"type\":\"proxy\",\"listen\":\"unix:/run/ui.sock\","
          + "\"connect\":\"tcp:127.0.0.1:80\",\"bind\":\"host\"}}}", patch.text());
    }
  }

  @Test
  void adding_a_device_under_a_taken_name_sends_nothing() throws Exception {
    try (var lxd = fake(r -> withEtag(Response.resource("instance.json"), "\"e1\""))) {
      var failure = failure(runtime(lxd).addDevice("sft-cap", "bus", new Device.Disk("/a", "/b", true)));
      assertInstanceOf(ContainerRuntimeException.AlreadyExists.class, failure);
      assertEquals(List.of("GET /1.0/instances/sft-cap"), lxd.lines());
    }
  }

  @Test
  void removing_a_device_puts_the_instance_back_without_it_under_the_etag() throws Exception {
    try (var lxd = fake(r -> switch (r.line()) {
      case "GET /1.0/instances/sft-cap" -> withEtag(Response.resource("instance.json"), "\"e2\"");
      case "PUT /1.0/instances/sft-cap" -> Response.async("op5");
      case "GET /1.0/operations/op5/wait?timeout=5" -> Response.operation("Success", 200, "", "null");
      default -> unexpected(r);
    })) {
      await(runtime(lxd).removeDevice("sft-cap", "ui"));

      Request put = lxd.request("PUT /1.0/instances/sft-cap");
      assertEquals("\"e2\"", put.headers().get("if-match"));
      JsonNode body = json(put);
      assertEquals(List.of("bus", "data", "eth0", "odd"), fieldNames(body.path("devices")));
      assertEquals("probe", body.path("config").path("user.role").asText());
      assertTrue(body.path("expanded_config").isMissingNode(), "only the writable fields are sent");
    }
  }

  @Test
  void list_returns_the_containers_matching_the_selector() throws Exception {
    try (var lxd = fake(r -> Response.resource("instances.json"))) {
      var runtime = runtime(lxd);
      assertEquals(List.of("sft-cap"), await(runtime.list(ContainerSelector.label("role", "probe"))).stream()
          .map(ContainerInfo::name).toList());
      assertEquals(List.of(), await(runtime.list(ContainerSelector.prefix("sf-"))));
      assertEquals("GET /1.0/instances?recursion=1", lxd.lines().getFirst());
    }
  }

  @Test
  void a_missing_socket_is_unreachable_and_named_in_the_message() {
    var runtime = LxdRuntime.create(system, settings.withSocket(dir.resolve("no-such.sock")));
    var unreachable = assertInstanceOf(ContainerRuntimeException.Unreachable.class,
        failure(runtime.state("sf-ids")));
    assertTrue(unreachable.getMessage().contains("no-such.sock"), unreachable.getMessage());
  }

  @Test
  void the_event_source_fails_to_connect_as_unreachable() {
    var runtime = LxdRuntime.create(system, settings.withSocket(dir.resolve("no-such.sock")));
    var connected = runtime.lifecycleEventSource().to(Sink.ignore()).run(system);
    assertInstanceOf(ContainerRuntimeException.Unreachable.class, failure(connected));
  }

  @Test
  void the_publisher_signals_subscribe_then_the_failure_when_lxd_is_unreachable() {
    var runtime = LxdRuntime.create(system, settings.withSocket(dir.resolve("no-such.sock")));
    var signals = new CompletableFuture<List<String>>();
    runtime.lifecycleEvents().subscribe(new Flow.Subscriber<LifecycleEvent>() {
      private boolean subscribed;

      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        subscribed = true;
      }

      @Override
      public void onNext(LifecycleEvent item) {
        signals.complete(List.of("onNext"));
      }

      @Override
      public void onError(Throwable failure) {
        signals.complete(List.of(subscribed ? "onSubscribe" : "-", failure.getClass().getSimpleName()));
      }

      @Override
      public void onComplete() {
        signals.complete(List.of("onComplete"));
      }
    });
    assertEquals(List.of("onSubscribe", "Unreachable"), await(signals));
  }

  @Test
  void server_info_names_the_daemon() throws Exception {
    try (var lxd = fake(r -> Response.resource("server.json"))) {
      LxdServerInfo info = await(runtime(lxd).serverInfo());
      assertEquals("lxd", info.server());
      assertEquals("5.0.2", info.version());
      assertEquals("trusted", info.auth());
    }
  }

  // ---- helpers

  private static FakeLxd fake(Function<Request, Response> answer) throws Exception {
    return new FakeLxd(dir, answer);
  }

  private static LxdRuntime runtime(FakeLxd lxd) {
    return LxdRuntime.create(system, settings.withSocket(lxd.socket));
  }

  private static Response unexpected(Request r) {
    return Response.error(500, "unexpected request " + r.line());
  }

  private static Response withEtag(Response response, String etag) {
    var headers = new java.util.LinkedHashMap<>(response.headers());
    headers.put("ETag", etag);
    return new Response(response.status(), headers, response.body());
  }

  private static JsonNode json(Request request) {
    return LxdJson.read(request.body());
  }

  private static List<String> fieldNames(JsonNode node) {
    var names = new java.util.ArrayList<String>();
    node.fieldNames().forEachRemaining(names::add);
    return names.stream().sorted().toList();
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return fail(e);
    }
  }

  private static Throwable failure(CompletionStage<?> stage) {
    try {
      Object value = stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
      return fail("expected a failure, got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      return fail(e);
    }
  }
}
