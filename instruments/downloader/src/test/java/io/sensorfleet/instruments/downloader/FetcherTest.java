package io.sensorfleet.instruments.downloader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetch logic against a real local HTTP server (the JDK's): conditional requests, limits, retries. */
class FetcherTest {

  static final byte[] BODY = "echo beacon v1\n".getBytes(StandardCharsets.UTF_8);
  static final String ETAG = "\"v1\"";
  static final String LAST_MODIFIED = "Fri, 04 Dec 2026 10:00:00 GMT";

  @TempDir Path dir;
  HttpServer server;
  ContentStore store;
  ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  HttpClient http = HttpClient.newHttpClient();
  final List<Duration> waits = new CopyOnWriteArrayList<>();
  final List<String> conditions = new CopyOnWriteArrayList<>();
  final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void start() throws IOException {
    store = ContentStore.open(dir.resolve("store"));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/file", this::file);
    server.createContext("/big", ex -> respond(ex, 200, new byte[4096], true));
    server.createContext("/big-chunked", ex -> respond(ex, 200, new byte[4096], false));
    AtomicInteger flaky = new AtomicInteger();
    server.createContext("/flaky", ex -> {
      if (flaky.incrementAndGet() < 3) {
        respond(ex, 503, new byte[0], true);
      } else {
        respond(ex, 200, BODY, true);
      }
    });
    server.createContext("/down", ex -> respond(ex, 500, new byte[0], true));
    server.createContext("/missing", ex -> respond(ex, 404, new byte[0], true));
    server.createContext("/slow", ex -> {
      ex.sendResponseHeaders(200, 0);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(BODY);
        out.flush();
        release.await();  // stalls mid-body until the test ends
      } catch (InterruptedException | IOException e) {
        // the client went away
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
    timer.shutdownNow();
  }

  void file(HttpExchange ex) throws IOException {
    String tag = ex.getRequestHeaders().getFirst("If-None-Match");
    String since = ex.getRequestHeaders().getFirst("If-Modified-Since");
    conditions.add(tag + "|" + since);
    ex.getResponseHeaders().add("ETag", ETAG);
    ex.getResponseHeaders().add("Last-Modified", LAST_MODIFIED);
    respond(ex, ETAG.equals(tag) ? 304 : 200, ETAG.equals(tag) ? new byte[0] : BODY, true);
  }

  static void respond(HttpExchange ex, int status, byte[] body, boolean withLength) throws IOException {
    ex.sendResponseHeaders(status, status == 304 || body.length == 0 ? -1 : withLength ? body.length : 0);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  Job job(String path, Optional<String> sha, long max, Duration timeout) {
    URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    return new Job("res", url, Duration.ofSeconds(60), sha, max, timeout, List.of("beacon"));
  }

  Job job(String path) {
    return job(path, Optional.empty(), 1024, Duration.ofSeconds(10));
  }

  Fetcher fetcher(int attempts) {
    return new Fetcher(http, store, new Fetcher.Retry(attempts, Duration.ofMillis(100), Duration.ofMillis(250)),
        waits::add, timer);
  }

  static String sha256(byte[] bytes) throws Exception {
    return Job.hex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void a_first_fetch_stores_the_body_under_its_sha256_with_the_validators() throws Exception {
    var fetched = assertInstanceOf(Fetcher.Fetched.class, fetcher(1).fetch(job("/file"), Fetcher.Validators.NONE));
    assertEquals(sha256(BODY), fetched.sha256());
    assertEquals(store.path(fetched.sha256()), fetched.file());
    assertEquals(new String(BODY, StandardCharsets.UTF_8), Files.readString(fetched.file()));
    assertEquals(Optional.of(ETAG), fetched.etag());
    assertEquals(Optional.of(LAST_MODIFIED), fetched.lastModified());
  }

  @Test
  void a_conditional_request_sends_the_validators_and_a_304_downloads_nothing() throws Exception {
    var previous = new Fetcher.Validators(Optional.of(ETAG), Optional.of(LAST_MODIFIED));
    assertInstanceOf(Fetcher.NotModified.class, fetcher(1).fetch(job("/file"), previous));
    assertEquals(List.of(ETAG + "|" + LAST_MODIFIED), conditions);
    assertEquals(0, Files.list(store.root().resolve("sha256")).count());
  }

  @Test
  void a_body_with_an_unexpected_hash_is_refused_and_not_kept() throws Exception {
    String other = "0".repeat(64);
    var refused = assertInstanceOf(Fetcher.Refused.class,
        fetcher(3).fetch(job("/file", Optional.of(other), 1024, Duration.ofSeconds(10)), Fetcher.Validators.NONE));
    assertTrue(refused.reason().startsWith("hash mismatch: got sha256 " + sha256(BODY)), refused.reason());
    assertEquals(1, refused.attempts());
    assertEquals(0, Files.list(store.root().resolve("sha256")).count());
    assertEquals(0, Files.list(store.root().resolve("tmp")).count());
  }

  @Test
  void a_declared_length_above_the_limit_is_refused_before_the_body() throws Exception {
    var refused = assertInstanceOf(Fetcher.Refused.class,
        fetcher(3).fetch(job("/big", Optional.empty(), 1000, Duration.ofSeconds(10)), Fetcher.Validators.NONE));
    assertEquals("too large: Content-Length 4096 > max 1000 bytes", refused.reason());
  }

  @Test
  void a_body_without_length_is_cut_off_once_it_passes_the_limit() throws Exception {
    var refused = assertInstanceOf(Fetcher.Refused.class, fetcher(3)
        .fetch(job("/big-chunked", Optional.empty(), 1000, Duration.ofSeconds(10)), Fetcher.Validators.NONE));
    assertTrue(refused.reason().startsWith("too large: cut off after "), refused.reason());
    assertEquals(0, Files.list(store.root().resolve("tmp")).count());
  }

  @Test
  void a_stalled_body_is_cut_off_at_the_timeout() throws Exception {
    long started = System.nanoTime();
    var refused = assertInstanceOf(Fetcher.Refused.class, fetcher(3)
        .fetch(job("/slow", Optional.empty(), 1024, Duration.ofMillis(700)), Fetcher.Validators.NONE));
    assertEquals("cut off after 700 ms: the body was too slow", refused.reason());
    assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(5)) < 0);
    assertEquals(List.of(), waits, "a cut-off is not retried");
  }

  @Test
  void server_errors_are_retried_with_doubling_capped_backoff() throws Exception {
    var fetched = assertInstanceOf(Fetcher.Fetched.class, fetcher(3).fetch(job("/flaky"), Fetcher.Validators.NONE));
    assertEquals(3, fetched.attempts());
    assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), waits);
  }

  @Test
  void retries_end_after_the_last_attempt_with_the_last_problem() throws Exception {
    var failed = assertInstanceOf(Fetcher.Failed.class, fetcher(4).fetch(job("/down"), Fetcher.Validators.NONE));
    assertEquals("HTTP 500 (gave up after 4 attempts)", failed.reason());
    assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(250)), waits);
  }

  @Test
  void a_client_error_is_not_retried() throws Exception {
    var failed = assertInstanceOf(Fetcher.Failed.class, fetcher(3).fetch(job("/missing"), Fetcher.Validators.NONE));
    assertEquals("HTTP 404", failed.reason());
    assertFalse(failed.attempts() > 1);
  }

  @Test
  void an_unreachable_server_is_retried_then_reported() throws Exception {
    int port = server.getAddress().getPort();
    server.stop(0);
    var failed = assertInstanceOf(Fetcher.Failed.class, fetcher(2).fetch(job("/file"), Fetcher.Validators.NONE));
    assertTrue(failed.reason().startsWith("cannot reach 127.0.0.1: "), failed.reason());
    assertEquals(List.of(Duration.ofMillis(100)), waits);
    assertTrue(port > 0);
  }
}
