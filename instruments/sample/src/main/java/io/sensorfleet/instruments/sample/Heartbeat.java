package io.sensorfleet.instruments.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Appends {@code <instant> alive} to {@code heartbeats/<hour>.log} under the data directory at a configurable
 * interval: data with an age, one file per UTC hour, so retention has whole files to delete. Owns its one thread;
 * the counters are atomics because the health callback reads them from another.
 */
final class Heartbeat implements AutoCloseable {

  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH").withZone(ZoneOffset.UTC);

  private final Path directory;
  private final Clock clock;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().name("sample-heartbeat").daemon().factory());
  private final AtomicLong written = new AtomicLong();
  private final AtomicReference<Optional<String>> lastError = new AtomicReference<>(Optional.empty());
  private ScheduledFuture<?> schedule;

  Heartbeat(Path dataDir, Clock clock) {
    this.directory = dataDir.resolve("heartbeats");
    this.clock = clock;
  }

  /** Beats now and then every {@code interval}, replacing any earlier interval. */
  synchronized void every(Duration interval) {
    if (schedule != null) {
      schedule.cancel(false);
    }
    schedule = timer.scheduleAtFixedRate(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Writes one line now. */
  void beat() {
    Instant now = clock.instant();
    try {
      Files.createDirectories(directory);
      Files.writeString(directory.resolve(HOUR.format(now) + ".log"), now + " alive\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      written.incrementAndGet();
      lastError.set(Optional.empty());
    } catch (IOException e) {
      lastError.set(Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage()));
    }
  }

  long written() {
    return written.get();
  }

  /** Why the last write failed, if it did. */
  Optional<String> lastError() {
    return lastError.get();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
