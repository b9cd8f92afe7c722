package io.sensorfleet.instruments.dnssensor;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Replays a capture at a fixed packet rate, from start to end and (if asked) again, handing each record to a
 * sink on its own thread. A capture it cannot read is retried every {@link #RETRY}; meanwhile {@link #problem()}
 * says why, for the health report.
 */
final class Replay implements AutoCloseable {

  static final Duration RETRY = Duration.ofSeconds(5);
  private static final System.Logger LOG = System.getLogger("io.sensorfleet.instruments.dnssensor");

  /** Receives each replayed record with its file's link type. */
  interface Sink {
    void accept(int linkType, PcapReader.Record record);
  }

  private final PcapSource source;
  private final SensorConfig config;
  private final Sink sink;
  private final Clock clock;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("dns-replay").factory());
  private final AtomicReference<Optional<String>> problem = new AtomicReference<>(Optional.empty());
  private final AtomicLong passes = new AtomicLong();
  private volatile boolean finished;
  // Only the timer thread touches these.
  private PcapReader reader;
  private Instant retryAt = Instant.MIN;

  private Replay(PcapSource source, SensorConfig config, Sink sink, Clock clock) {
    this.source = source;
    this.config = config;
    this.sink = sink;
    this.clock = clock;
  }

  /** Starts replaying {@code source} as {@code config} says. */
  static Replay start(PcapSource source, SensorConfig config, Sink sink, Clock clock) {
    Replay replay = new Replay(source, config, sink, clock);
    long periodNanos = Math.max(1, Math.round(1e9 / config.rate()));
    replay.timer.scheduleAtFixedRate(replay::tick, 0, periodNanos, TimeUnit.NANOSECONDS);
    return replay;
  }

  /** Why the capture cannot be replayed, if it cannot. */
  Optional<String> problem() {
    return problem.get();
  }

  /** True once a capture replayed without looping reached its end. */
  boolean finished() {
    return finished;
  }

  /** Complete passes through the capture. */
  long passes() {
    return passes.get();
  }

  String describe() {
    return source.describe();
  }

  SensorConfig config() {
    return config;
  }

  private void tick() {
    try {
      if (reader == null && !open()) {
        return;
      }
      Optional<PcapReader.Record> record = reader.next();
      if (record.isPresent()) {
        sink.accept(reader.linkType(), record.get());
        return;
      }
      long records = reader.records();
      closeReader();
      if (records == 0) {
        fail("cannot replay " + source.describe() + ": it holds no packets");
      } else {
        passes.incrementAndGet();
        if (!config.loop()) {
          finished = true;
          timer.shutdown();
        }
      }
    } catch (IOException e) {
      String why = e instanceof PcapReader.PcapFormatException ? e.getMessage()
          : e.getClass().getSimpleName() + ": " + e.getMessage();
      fail("cannot read " + source.describe() + ": " + why);
    } catch (RuntimeException e) {
      // A thrown exception would cancel the schedule for good; report it and go on.
      fail("replay failed: " + e);
    }
  }

  private boolean open() throws IOException {
    if (clock.instant().isBefore(retryAt)) {
      return false;
    }
    reader = PcapReader.open(source.open());
    if (!PacketDecoder.supports(reader.linkType())) {
      int linkType = reader.linkType();
      closeReader();
      throw new PcapReader.PcapFormatException("link type " + linkType + " is not supported (1 Ethernet, 101 raw IP)");
    }
    problem.set(Optional.empty());
    return true;
  }

  private void fail(String why) {
    if (problem.getAndSet(Optional.of(why)).isEmpty()) {
      LOG.log(System.Logger.Level.WARNING, why);
    }
    closeReader();
    retryAt = clock.instant().plus(RETRY);
  }

  private void closeReader() {
    if (reader != null) {
      try {
        reader.close();
      } catch (IOException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing the capture failed", e);
      }
      reader = null;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      if (timer.awaitTermination(5, TimeUnit.SECONDS)) {
        closeReader();   // the timer thread is done with it
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
