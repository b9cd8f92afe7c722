package io.sensorfleet.instruments.downloader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.instruments.support.Json;
import io.sensorfleet.sdk.ConfigDecision;
import io.sensorfleet.sdk.ConfigUpdate;
import io.sensorfleet.sdk.DataDirectory;
import io.sensorfleet.sdk.Health;
import io.sensorfleet.sdk.InstrumentClient;
import io.sensorfleet.sdk.RetentionResult;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Downloader Instrument: the sensor's single egress point. The platform sends it the set of {@link Job}s to
 * run as a direct message from {@link #PLATFORM} ({@code {"type":"jobs","jobs":[...]}}, resent periodically; the
 * set replaces the previous one, and a job that did not change keeps its schedule). Each job is fetched at once and
 * then every {@code every_seconds} by the {@link Fetcher}; every outcome is reported to the platform as a
 * {@code fetch-report} direct message (see docs/reference-instruments.md), and a body whose hash differs from the
 * last one stored for that resource is announced as a new version ({@code "outcome":"new"}, with its path in this
 * container). The platform copies it from there to the Instruments allowed to receive it; this Instrument never
 * touches anyone else's storage, and nobody else's requests reach it except through the platform.
 */
public final class Downloader implements AutoCloseable {

  /** The platform's address on the bus: jobs come from it, reports go to it. */
  public static final InstrumentId PLATFORM = InstrumentId.of("platform");
  private static final System.Logger LOG = System.getLogger("io.sensorfleet.instruments.downloader");
  private static final DateTimeFormatter VERSION_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** The last outcome of one job, for health. */
  private record Last(Instant at, String outcome, String reason) {}

  private final InstrumentClient client;
  private final ContentStore store;
  private final Clock clock;
  private final HttpClient http;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("downloader-timer").factory());
  private final AtomicReference<Fetcher.Retry> retry =
      new AtomicReference<>(new Fetcher.Retry(3, Duration.ofSeconds(1), Duration.ofSeconds(30)));
  /** After a fetch that failed (unreachable, server errors), the next one comes this soon if before the schedule. */
  private final AtomicReference<Duration> failedRetry = new AtomicReference<>(Duration.ofMinutes(1));
  private final Fetcher.Sleeper sleeper;
  private final Map<String, Job> jobs = new HashMap<>();            // guarded by this
  private final Map<String, Thread> runners = new HashMap<>();      // guarded by this
  private final Map<String, Last> last = new ConcurrentHashMap<>();
  private final AtomicLong fetches = new AtomicLong();
  private final AtomicLong announced = new AtomicLong();

  private Downloader(InstrumentClient.Builder builder, Path dataDirectory, Clock clock, Fetcher.Sleeper sleeper) {
    this.store = ContentStore.open(dataDirectory.resolve("store"));
    this.clock = clock;
    this.sleeper = sleeper;
    this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(10)).build();
    this.client = builder
        .software("downloader/" + version())
        .onConfig(this::configure)
        .onMessage(this::onMessage)
        .onHealthQuery(this::health)
        .onRetention(this::retention)
        .onShutdown(reason -> close())
        .build();
  }

  /**
   * Starts the Downloader; the client connects in the background and fetching starts with the first job set.
   *
   * @param builder connection settings; its callbacks are replaced
   * @param dataDirectory its persistent storage (the store lives in {@code store/} below it)
   * @param sleeper waits between retries ({@code Thread::sleep} outside tests)
   */
  public static Downloader start(InstrumentClient.Builder builder, Path dataDirectory, Clock clock,
                                 Fetcher.Sleeper sleeper) {
    return new Downloader(builder, dataDirectory, clock, sleeper);
  }

  public static void main(String[] args) throws InterruptedException {
    try (Downloader downloader = start(InstrumentClient.builder(), DataDirectory.fromEnvironment(System.getenv()),
        Clock.systemUTC(), d -> Thread.sleep(d))) {
      downloader.client.awaitClosed();
    }
  }

  public InstrumentClient client() {
    return client;
  }

  /**
   * Its own settings: {@code retries} (attempts in all), {@code backoff_ms}, {@code max_backoff_ms},
   * {@code failed_retry_ms} (how soon a failed fetch is tried again, if sooner than its schedule).
   */
  private ConfigDecision configure(ConfigUpdate update) {
    JsonNode config = Json.read(update.config());
    int attempts = config.path("retries").asInt(3);
    long first = config.path("backoff_ms").asLong(1000);
    long max = config.path("max_backoff_ms").asLong(30_000);
    if (attempts < 1 || attempts > 10 || first < 0 || max < first) {
      return ConfigDecision.reject("retries must be 1..10 and 0 <= backoff_ms <= max_backoff_ms");
    }
    long failed = config.path("failed_retry_ms").asLong(60_000);
    if (failed < 1000) {
      return ConfigDecision.reject("failed_retry_ms must be at least 1000");
    }
    retry.set(new Fetcher.Retry(attempts, Duration.ofMillis(first), Duration.ofMillis(max)));
    failedRetry.set(Duration.ofMillis(failed));
    return ConfigDecision.accept();
  }

  private void onMessage(InstrumentId from, RawJson payload) {
    if (!from.equals(PLATFORM)) {
      // Only the platform gives jobs: an Instrument that was granted a send to us still cannot make us fetch.
      LOG.log(Level.WARNING, () -> "ignored a message from " + from + ": jobs come from the platform only");
      return;
    }
    JsonNode body = Json.read(payload);
    if (!body.path("type").asText().equals("jobs")) {
      LOG.log(Level.WARNING, () -> "ignored a platform message of type " + body.path("type"));
      return;
    }
    List<Job> next = new ArrayList<>();
    for (JsonNode node : body.path("jobs")) {
      try {
        next.add(Job.fromJson(node));
      } catch (IllegalArgumentException e) {
        LOG.log(Level.WARNING, () -> "ignored a job: " + e.getMessage());
      }
    }
    replaceJobs(next);
  }

  /** Keeps unchanged jobs running on their schedule, stops removed ones, starts new or changed ones at once. */
  synchronized void replaceJobs(List<Job> next) {
    Map<String, Job> wanted = new HashMap<>();
    next.forEach(j -> wanted.put(j.name(), j));
    for (var it = jobs.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      Job replacement = wanted.get(entry.getKey());
      if (replacement == null || !replacement.sameDownload(entry.getValue())) {
        runners.remove(entry.getKey()).interrupt();
        it.remove();
        last.remove(entry.getKey());
      }
    }
    for (Job job : wanted.values()) {
      if (!jobs.containsKey(job.name())) {
        jobs.put(job.name(), job);
        runners.put(job.name(), Thread.ofVirtual().name("fetch-" + job.name()).start(() -> run(job)));
      } else {
        jobs.put(job.name(), job);  // same download; the requesters may have changed
      }
    }
  }

  private void run(Job scheduled) {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        Job job;
        synchronized (this) {
          job = jobs.getOrDefault(scheduled.name(), scheduled);
        }
        boolean failed = fetchOnce(job).equals("failed");
        Duration next = failed && failedRetry.get().compareTo(job.every()) < 0 ? failedRetry.get() : job.every();
        Thread.sleep(next);
      }
    } catch (InterruptedException e) {
      // the job was removed or changed
    }
  }

  /** One fetch of {@code job} and its report to the platform; returns the outcome's name. */
  String fetchOnce(Job job) throws InterruptedException {
    Optional<ContentStore.Known> known = store.known(job.name()).filter(k -> k.url().equals(job.url().toString()));
    var validators = known.map(k -> new Fetcher.Validators(Optional.ofNullable(k.etag()),
        Optional.ofNullable(k.lastModified()))).orElse(Fetcher.Validators.NONE);
    // A changed expected hash must be checked against a fresh body, not answered from the server's 304.
    if (known.isPresent() && job.sha256().isPresent() && !job.sha256().get().equals(known.get().sha256())) {
      validators = Fetcher.Validators.NONE;
    }
    var fetcher = new Fetcher(http, store, retry.get(), sleeper, timer);
    Fetcher.Outcome outcome = fetcher.fetch(job, validators);
    fetches.incrementAndGet();
    Instant now = clock.instant();
    ObjectNode report = Json.MAPPER.createObjectNode().put("type", "fetch-report").put("name", job.name())
        .put("url", job.url().toString()).put("attempts", outcome.attempts());
    job.requesters().forEach(report.withArray("requesters")::add);
    switch (outcome) {
      case Fetcher.Fetched f -> {
        boolean same = known.isPresent() && known.get().sha256().equals(f.sha256());
        String version = same ? known.get().version()
            : VERSION_TIME.format(now) + "-" + f.sha256().substring(0, 12);
        store.remember(job.name(), new ContentStore.Known(job.url().toString(), f.etag().orElse(null),
            f.lastModified().orElse(null), f.sha256(), f.size(), version, now.toString()));
        report.put("outcome", same ? "unchanged" : "new").put("sha256", f.sha256()).put("size", f.size())
            .put("version", version).put("path", f.file().toString());
        if (!same) {
          announced.incrementAndGet();
        }
      }
      case Fetcher.NotModified n -> {
        report.put("outcome", "not-modified");
        known.ifPresent(k -> report.put("sha256", k.sha256()).put("size", k.size()).put("version", k.version())
            .put("path", store.path(k.sha256()).toString()));
      }
      case Fetcher.Refused r -> report.put("outcome", "refused").put("reason", r.reason());
      case Fetcher.Failed f -> report.put("outcome", "failed").put("reason", f.reason());
    }
    last.put(job.name(), new Last(now, report.path("outcome").asText(), report.path("reason").asText("")));
    if (!client.send(PLATFORM, Json.write(report))) {
      LOG.log(Level.WARNING, () -> "not connected: the report on " + job.name() + " was not sent");
    }
    return report.path("outcome").asText();
  }

  private Health health() {
    List<String> problems = new ArrayList<>();
    last.forEach((name, l) -> {
      if (l.outcome().equals("refused") || l.outcome().equals("failed")) {
        problems.add(name + ": " + l.outcome() + " (" + l.reason() + ")");
      }
    });
    int count;
    synchronized (this) {
      count = jobs.size();
    }
    RawJson metrics = Json.write(Map.of("jobs", count, "fetches", fetches.get(), "announced", announced.get()));
    Health verdict = problems.isEmpty()
        ? Health.healthy(count + " jobs, " + fetches.get() + " fetches, " + announced.get() + " new versions")
        : Health.degraded(String.join("; ", problems));
    return verdict.withMetrics(metrics);
  }

  private RetentionResult retention(Instant cutoff) {
    try {
      long[] swept = store.sweep(cutoff);
      return new RetentionResult(swept[0], swept[1], java.util.OptionalLong.empty(), "unreferenced bodies older than the cutoff");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String version() {
    String v = Downloader.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public void close() {
    synchronized (this) {
      runners.values().forEach(Thread::interrupt);
      runners.clear();
      jobs.clear();
    }
    client.close();
    timer.shutdownNow();
  }
}
