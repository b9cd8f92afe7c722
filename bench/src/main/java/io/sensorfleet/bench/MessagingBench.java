package io.sensorfleet.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.sensorfleet.actors.bus.PermissionGate;
import io.sensorfleet.actors.channel.BusSocket;
import io.sensorfleet.actors.channel.ChannelSettings;
import io.sensorfleet.actors.channel.InstrumentChannel;
import io.sensorfleet.actors.channel.PeerCheck;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.permission.Grant;
import io.sensorfleet.core.permission.PermissionPolicy;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.FrameCodec;
import io.sensorfleet.core.protocol.Handshake;
import io.sensorfleet.core.protocol.Newlines;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Instrument-to-Instrument messages over the platform's full path — A's unix socket → its {@link InstrumentChannel}
 * → the {@link PermissionGate} (policy check) → B's channel → B's unix socket — beside NATS (Debian's
 * {@code nats-server}, authorization on: the publisher may only publish the subject, the subscriber only subscribe
 * to it) with the jnats client, in the same run, alternating, the method of {@code shared/docs/messaging-bench.md}:
 *
 * <ul>
 *   <li>throughput: one sender, one receiver, at most {@code inflight} messages unreceived, after a 20 % warm-up;
 *       CPU per message = this JVM's CPU (the clients) plus the platform's process's or the NATS server's;
 *   <li>latency: one-way, one message in flight, {@code samples} messages;
 *   <li>latency at half of the path's peak (the median of its throughput runs, which all come first), and at 10 k
 *       msgs/s, paced, each recorded after {@link #PACED_WARM_UP_SECONDS} at its rate; a message that never arrives
 *       (a path over its capacity drops) counts as later than every one that did.
 * </ul>
 *
 * <p>Beside them, two relay floors ({@link RelayFloor} in a JVM, {@code bench/floors/relay.c} in C) carry the same
 * messages between the same two sockets doing nothing else, at our half peak: what this machine and these clients
 * allow any server.
 *
 * <p>Then the paced columns run again with {@link NativeClient} ({@code bench/clients/paced.c}) in place of this JVM's
 * clients, at the same rates: what is left of a tail without a client JVM beside the path is the path's.
 *
 * <p>The platform runs in a JVM of its own, as nats-server runs apart from its clients; it is started with this JVM's
 * options once and serves every run of ours, so its JIT is warm after the first. It runs with its inbound shaping
 * raised (the default, 2000 frames/s per Instrument, is a containment setting, not a speed limit). Each paced rate
 * prints the cores it kept busy (clients, server) on standard error; {@code -Dbench.paced.dump=PREFIX} writes each
 * paced rate's latencies, in arrival order, to {@code PREFIX-RATE-EPOCHMILLIS} (to line its slow stretches up with
 * a {@code -Xlog:gc,safepoint} log). Usage: {@code bench/messaging.sh [runs=3] [messages=300000]}; prints Markdown.
 */
public final class MessagingBench {

  private static final String OURS = "SensorFleet bus";
  /** {@link RelayFloor}: the least a process between the two sockets can do, at our half peak. */
  private static final String FLOOR = "relay floor, JVM (no framework)";
  /** bench/floors/relay.c: the same in C, one thread, no garbage collector or JIT. */
  private static final String NATIVE_FLOOR = "relay floor, C";
  private static final InstrumentId SENDER = InstrumentId.of("bench-a");
  private static final InstrumentId RECEIVER = InstrumentId.of("bench-b");
  private static final String SUBJECT = "bench.data";
  private static final int[] SIZES = {128, 1024};
  private static final int INFLIGHT = 1000;
  private static final int LATENCY_SAMPLES = 10_000;
  /** A steady rate far below either path's peak: what a sensor's bus mostly carries. */
  private static final int MODERATE_RATE = 10_000;
  /** Seconds of each paced rate whose latencies are recorded. */
  private static final int PACED_SECONDS = 3;
  /** Seconds at a paced rate before its latency is recorded ({@code -Dbench.paced.warm-up-seconds}). */
  private static final double PACED_WARM_UP_SECONDS =
      Double.parseDouble(System.getProperty("bench.paced.warm-up-seconds", "5"));
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  /** One measured transport: a sender and a receiver joined by it. */
  interface Transport extends AutoCloseable {
    /**
     * Sends one message: a payload of {@code size} bytes stamped {@code sentNanos} (0: unstamped, for throughput) as
     * {@link #payload} makes it. Must not block for long.
     */
    void send(int size, long sentNanos) throws IOException;

    /** Sends what {@link #send} buffered. */
    void flush() throws IOException;

    /** Extra CPU nanoseconds spent outside this JVM so far (the NATS server); 0 for us. */
    long externalCpuNanos();
  }

  record Throughput(double msgsPerSecond, double cpuMicrosPerMessage) {}

  /** Percentiles over every message sent; a message that never arrived counts as later than any that did. */
  record Latency(double p50Micros, double p99Micros, double lostPercent) {
    /** "p50 / p99", or what was lost when it reaches the percentile. */
    String cell() {
      return Double.isInfinite(p99Micros)
          ? String.format("%.0f / – (%.1f %% lost)", p50Micros, lostPercent)
          : String.format("%.0f / %.0f", p50Micros, p99Micros);
    }
  }

  record Cell(Throughput throughput, Latency latency, Latency halfLoad, Latency moderate) {}

  private MessagingBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("platform")) {
      OurBus.servePlatform(Path.of(args[1]));
      return;
    }
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int messages = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
    if (Boolean.getBoolean("bench.profile")) {
      profile(messages);
      return;
    }
    if (Boolean.getBoolean("bench.latency")) {
      latencyOnly(runs, messages);
      return;
    }
    Map<String, Opener> paths = paths(true, true);
    Map<Integer, Map<String, Double>> halves = new java.util.LinkedHashMap<>();
    Map<String, List<List<Cell>>> cells = new java.util.LinkedHashMap<>();
    paths.keySet().forEach(path -> cells.put(path, new ArrayList<>()));
    for (int size : SIZES) {
      Map<String, List<Throughput>> peaks = new java.util.LinkedHashMap<>();
      paths.keySet().forEach(path -> peaks.put(path, new ArrayList<>()));
      for (int run = 0; run < runs; run++) {
        for (var path : paths.entrySet()) {
          System.err.printf("size %d B, throughput %d/%d: %s...%n", size, run + 1, runs, path.getKey());
          peaks.get(path.getKey()).add(peak(path.getValue(), size, messages));
        }
      }
      Map<String, List<Cell>> bySize = new java.util.LinkedHashMap<>();
      paths.keySet().forEach(path -> bySize.put(path, new ArrayList<>()));
      for (int run = 0; run < runs; run++) {
        for (var path : paths.entrySet()) {
          // The floor runs at our half peak: it is the floor under our path at our load, not a path of its own.
          String rateOf = path.getKey().equals(FLOOR) || path.getKey().equals(NATIVE_FLOOR) ? OURS : path.getKey();
          double half = median(peaks.get(rateOf), Throughput::msgsPerSecond) / 2;
          halves.computeIfAbsent(size, k -> new java.util.LinkedHashMap<>()).put(path.getKey(), half);
          System.err.printf("size %d B, latency %d/%d: %s, half peak %,.0f msgs/s...%n", size, run + 1, runs,
              path.getKey(), half);
          Cell cell = latencies(path.getValue(), size, peaks.get(path.getKey()).get(run), half);
          System.err.printf("  p50 / p99 µs: 1 in flight %s, half peak %s, 10 k/s %s%n", cell.latency().cell(),
              cell.halfLoad().cell(), cell.moderate().cell());
          bySize.get(path.getKey()).add(cell);
        }
      }
      bySize.forEach((path, list) -> cells.get(path).add(list));
    }
    System.out.println("| path | 128 B msgs/s | CPU µs/msg | p50 / p99 µs (1 in flight) | p50 / p99 µs at half peak"
        + " | p50 / p99 µs at 10 k/s | 1 KiB msgs/s | CPU µs/msg | p50 / p99 µs (1 in flight)"
        + " | p50 / p99 µs at half peak | p50 / p99 µs at 10 k/s |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (var row : cells.entrySet()) {
      StringBuilder line = new StringBuilder("| " + row.getKey() + " |");
      for (List<Cell> bySize : row.getValue()) {
        line.append(String.format(" %,.0f | %.1f | %s | %s | %s |",
            median(bySize, c -> c.throughput().msgsPerSecond()),
            median(bySize, c -> c.throughput().cpuMicrosPerMessage()),
            medianCell(bySize, Cell::latency), medianCell(bySize, Cell::halfLoad), medianCell(bySize, Cell::moderate)));
      }
      System.out.println(line);
    }
    System.out.printf("%nmedians of %d interleaved runs, %,d messages per throughput run (20 %% warm-up), %d in"
        + " flight, all throughput runs first; latency %,d samples; half peak = 50 %% of the path's median"
        + " throughput (the relay floor: of ours), paced; each paced rate recorded for %d s after %.0f s of it.%n",
        runs, messages, INFLIGHT, LATENCY_SAMPLES, PACED_SECONDS, PACED_WARM_UP_SECONDS);
    System.out.printf("The VM's DAMON reclaim (kdamond): %s.%n", System.getProperty("bench.damon", "not reported"));
    if (NativeClient.enabled()) {
      nativeTable(runs, halves);
    }
    System.exit(0);
  }

  /**
   * The paced columns again with {@link NativeClient} (bench/clients/paced.c) in place of this JVM's clients, at the
   * same rates, every path on connections of its own, the paths alternating; prints a second table.
   */
  private static void nativeTable(int runs, Map<Integer, Map<String, Double>> halves) throws Exception {
    Map<String, NativeClient.Opener> paths = new java.util.LinkedHashMap<>();
    paths.put(OURS, () -> OurBus.endpoint(OurBus.Server.PLATFORM));
    paths.put(FLOOR, () -> OurBus.endpoint(OurBus.Server.RELAY));
    paths.put(NATIVE_FLOOR, () -> OurBus.endpoint(OurBus.Server.NATIVE_RELAY));
    paths.put("NATS", NatsBus::endpoint);
    Map<String, List<List<Latency>>> rows = new java.util.LinkedHashMap<>();
    paths.keySet().forEach(path -> rows.put(path, new ArrayList<>()));
    for (int size : SIZES) {
      Map<String, List<Latency>> halfRuns = new java.util.LinkedHashMap<>();
      Map<String, List<Latency>> moderateRuns = new java.util.LinkedHashMap<>();
      for (int run = 0; run < runs; run++) {
        for (var path : paths.entrySet()) {
          double half = halves.get(size).get(path.getKey());
          System.err.printf("size %d B, C client %d/%d: %s, half peak %,.0f msgs/s...%n", size, run + 1, runs,
              path.getKey(), half);
          Latency atHalf = NativeClient.paced(path.getValue(), size, half, PACED_WARM_UP_SECONDS, PACED_SECONDS);
          Latency moderate = NativeClient.paced(path.getValue(), size, MODERATE_RATE, PACED_WARM_UP_SECONDS,
              PACED_SECONDS);
          System.err.printf("  p50 / p99 µs: half peak %s, 10 k/s %s%n", atHalf.cell(), moderate.cell());
          halfRuns.computeIfAbsent(path.getKey(), k -> new ArrayList<>()).add(atHalf);
          moderateRuns.computeIfAbsent(path.getKey(), k -> new ArrayList<>()).add(moderate);
        }
      }
      paths.keySet().forEach(path -> {
        rows.get(path).add(halfRuns.get(path));
        rows.get(path).add(moderateRuns.get(path));
      });
    }
    System.out.printf("%nThe paced columns with the C client (bench/clients/paced.c) in place of the JVM's:%n%n");
    System.out.println("| path | 128 B: p50 / p99 µs at half peak | 128 B: at 10 k/s | 1 KiB: at half peak"
        + " | 1 KiB: at 10 k/s |");
    System.out.println("|---|---|---|---|---|");
    for (var row : rows.entrySet()) {
      StringBuilder line = new StringBuilder("| " + row.getKey() + " |");
      for (List<Latency> column : row.getValue()) {
        line.append(' ').append(new Latency(median(column, Latency::p50Micros), median(column, Latency::p99Micros),
            median(column, Latency::lostPercent)).cell()).append(" |");
      }
      System.out.println(line);
    }
    System.out.printf("%nmedians of %d interleaved runs; the same half-peak rates as above; each rate recorded for %d"
        + " s after %.0f s of it.%n", runs, PACED_SECONDS, PACED_WARM_UP_SECONDS);
  }

  /**
   * {@code -Dbench.profile=true}: only our path's 128 B throughput ({@code -Dbench.profile.size=1024}: 1 KiB),
   * repeated, for a profiler (JFR, {@code perf}) to sample; prints each round's rate. The platform then runs in
   * this JVM (as with {@code -Dbench.bus.in-process=true}), where the profiler sees it.
   */
  private static void profile(int messages) throws Exception {
    int size = Integer.getInteger("bench.profile.size", 128);
    Receiver receiver = new Receiver();
    try (Transport transport = OurBus.open(receiver)) {
      for (int round = 0; round < 5; round++) {
        System.out.printf("round %d: %,.0f msgs/s%n", round,
            throughput(transport, receiver, size, messages).msgsPerSecond());
      }
    }
    System.exit(0);
  }

  /**
   * {@code -Dbench.latency=true}: only the latency columns at 128 B ({@code -Dbench.profile.size=1024}: 1 KiB), each
   * path on one connection after a throughput run of {@code messages}, the paths alternating; the paced rate is half
   * of that run's throughput, or {@code -Dbench.half.rate} for every path. Prints each run and the medians. For
   * comparing builds or JVM options quickly ({@code -Dbench.latency.nats=false}: without NATS, e.g. to count our
   * context switches with {@code perf stat}; {@code -Dbench.latency.floor=true}: with the relay floors).
   */
  private static void latencyOnly(int runs, int messages) throws Exception {
    int size = Integer.getInteger("bench.profile.size", 128);
    Map<String, Opener> paths = paths(Boolean.getBoolean("bench.latency.floor"),
        Boolean.parseBoolean(System.getProperty("bench.latency.nats", "true")));
    Map<String, List<Cell>> results = new java.util.LinkedHashMap<>();
    paths.keySet().forEach(path -> results.put(path, new ArrayList<>()));
    for (int run = 0; run < runs; run++) {
      for (var path : paths.entrySet()) {
        Receiver receiver = new Receiver();
        try (Transport transport = path.getValue().open(receiver)) {
          Throughput peak = throughput(transport, receiver, size, messages);
          Latency one = latency(transport, receiver, size);
          Latency moderate = paced(transport, receiver, size, MODERATE_RATE);
          double rate = Double.parseDouble(System.getProperty("bench.half.rate", "" + peak.msgsPerSecond() / 2));
          Latency half = paced(transport, receiver, size, rate);
          results.get(path.getKey()).add(new Cell(peak, one, half, moderate));
          System.out.printf("run %d %-32s 1 in flight %s µs   10 k/s %s µs   %,.0f/s %s µs%n", run, path.getKey(),
              one.cell(), moderate.cell(), rate, half.cell());
        }
      }
    }
    for (var entry : results.entrySet()) {
      List<Cell> r = entry.getValue();
      System.out.printf("median %-32s 1 in flight %s µs   10 k/s %s µs   paced at half peak %s µs%n", entry.getKey(),
          medianCell(r, Cell::latency), medianCell(r, Cell::moderate), medianCell(r, Cell::halfLoad));
    }
    System.exit(0);
  }

  /** The measured paths, in the order they alternate: ours, the relay floors, NATS. */
  private static Map<String, Opener> paths(boolean floors, boolean nats) {
    Map<String, Opener> paths = new java.util.LinkedHashMap<>();
    paths.put(OURS, OurBus::open);
    if (floors) {
      paths.put(FLOOR, OurBus::openFloor);
      paths.put(NATIVE_FLOOR, OurBus::openNativeFloor);
    }
    if (nats) {
      paths.put("NATS", NatsBus::open);
    }
    return paths;
  }

  @FunctionalInterface
  interface Opener {
    Transport open(Receiver receiver) throws Exception;
  }

  /** The path's throughput, on connections of its own. */
  private static Throughput peak(Opener opener, int size, int messages) throws Exception {
    Receiver receiver = new Receiver();
    try (Transport transport = opener.open(receiver)) {
      return throughput(transport, receiver, size, messages);
    }
  }

  /** The path's latencies (1 in flight, paced at {@code halfPeak}, at 10 k/s), on connections of their own. */
  private static Cell latencies(Opener opener, int size, Throughput peak, double halfPeak) throws Exception {
    Receiver receiver = new Receiver();
    try (Transport transport = opener.open(receiver)) {
      Latency latency = latency(transport, receiver, size);
      Latency half = paced(transport, receiver, size, halfPeak);
      Latency moderate = paced(transport, receiver, size, MODERATE_RATE);
      return new Cell(peak, latency, half, moderate);
    }
  }

  /** Counts what arrives and, when asked, records one-way latencies from the timestamp in each payload. */
  static final class Receiver {
    final AtomicLong received = new AtomicLong();
    volatile long[] latencies;
    final AtomicLong recorded = new AtomicLong();

    void onPayload(long sentNanos) {
      long now = System.nanoTime();
      long[] sink = latencies;
      if (sink != null) {
        long i = recorded.getAndIncrement();
        if (i < sink.length) {
          sink[(int) i] = now - sentNanos;
        }
      }
      received.incrementAndGet();
    }

    void awaitReceived(long count) {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (received.get() < count) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("received " + received.get() + " of " + count);
        }
        LockSupport.parkNanos(20_000);
      }
    }

    /**
     * Waits for {@code count} messages, or until none has arrived for a second: a path over its capacity drops the
     * oldest messages of a slow recipient (the bus's bounded queue does, by design), and those never come.
     */
    void awaitReceivedOrLost(long count) {
      long last = received.get();
      long quietSince = System.nanoTime();
      while (received.get() < count) {
        long now = received.get();
        if (now != last) {
          last = now;
          quietSince = System.nanoTime();
        } else if (System.nanoTime() - quietSince > 1_000_000_000L) {
          return;
        }
        LockSupport.parkNanos(20_000);
      }
    }
  }

  private static Throughput throughput(Transport transport, Receiver receiver, int size, int messages)
      throws IOException {
    long base = receiver.received.get();
    int warmUp = messages / 5;
    var bean = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long t0 = 0;
    long cpu0 = 0;
    for (int i = 0; i < messages; i++) {
      if (i == warmUp) {
        transport.flush();
        receiver.awaitReceived(base + warmUp);
        t0 = System.nanoTime();
        cpu0 = bean.getProcessCpuTime() + transport.externalCpuNanos();
      }
      if (i - (receiver.received.get() - base) >= INFLIGHT) {
        transport.flush();
        while (i - (receiver.received.get() - base) >= INFLIGHT / 2) {
          LockSupport.parkNanos(20_000);  // parked, not spinning: 2 cores are shared with what is measured
        }
      }
      transport.send(size, 0);
    }
    transport.flush();
    receiver.awaitReceived(base + messages);
    long elapsed = System.nanoTime() - t0;
    long cpu = bean.getProcessCpuTime() + transport.externalCpuNanos() - cpu0;
    int measured = messages - warmUp;
    return new Throughput(measured / (elapsed / 1e9), cpu / 1e3 / measured);
  }

  private static Latency latency(Transport transport, Receiver receiver, int size) throws IOException {
    receiver.recorded.set(0);
    receiver.latencies = new long[LATENCY_SAMPLES];
    long base = receiver.received.get();
    for (int i = 0; i < LATENCY_SAMPLES; i++) {
      transport.send(size, System.nanoTime());
      transport.flush();
      receiver.awaitReceived(base + i + 1);
    }
    return percentiles(receiver);
  }

  /**
   * One-way latency at {@code rate} over {@link #PACED_SECONDS}, after {@link #PACED_WARM_UP_SECONDS} at that rate
   * unrecorded: the compiler settles on the single-message paths, which the throughput run's batches do not exercise
   * (without it, p99 at 10 k msgs/s fell round by round from 2.6 ms to 0.4 ms over the first ~15 s; NATS's client is
   * warmed the same way). Seconds, not a number of messages, so that every rate's p99 spans the same time and as
   * many young collections.
   */
  private static Latency paced(Transport transport, Receiver receiver, int size, double rate) throws IOException {
    int messages = (int) (rate * PACED_SECONDS);
    receiver.latencies = null;
    int warmUp = (int) (rate * PACED_WARM_UP_SECONDS);
    long before = receiver.received.get();
    pace(transport, size, rate, warmUp);
    receiver.awaitReceivedOrLost(before + warmUp);
    long base = receiver.received.get();
    receiver.recorded.set(0);
    receiver.latencies = new long[messages];
    var bean = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long t0 = System.nanoTime();
    long wallStart = System.currentTimeMillis();
    long clients0 = bean.getProcessCpuTime();
    long server0 = transport.externalCpuNanos();
    pace(transport, size, rate, messages);
    receiver.awaitReceivedOrLost(base + messages);
    double wall = System.nanoTime() - t0;
    System.err.printf("  paced %,.0f msgs/s: cores busy %.2f (clients %.2f, platform or server %.2f)%n", rate,
        (bean.getProcessCpuTime() - clients0 + transport.externalCpuNanos() - server0) / wall,
        (bean.getProcessCpuTime() - clients0) / wall, (transport.externalCpuNanos() - server0) / wall);
    String dump = System.getProperty("bench.paced.dump");
    if (dump != null) {
      dump(receiver, Path.of(dump + "-" + (int) rate + "-" + wallStart));  // wallStart: the first send
    }
    return percentiles(receiver);
  }

  /** The recorded latencies in arrival order, one per line in nanoseconds (for {@code -Dbench.paced.dump}). */
  private static void dump(Receiver receiver, Path file) throws IOException {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(receiver.latencies.length, (int) receiver.recorded.get()); i++) {
      out.append(receiver.latencies[i]).append('\n');
    }
    Files.writeString(file, out);
  }

  /**
   * Sends {@code messages} at {@code rate}: everything due is written, then flushed together (as a client library's
   * writer would), then the sender parks until the next due time. It parks rather than spins: a spinning sender
   * holds one of the machine's two cores, and a thread of the path woken onto that core waits out the spinner's time
   * slice (milliseconds), which is the benchmark measuring itself. A park ends up to ~60 µs late (timer slack); what
   * fell due meanwhile leaves in the next burst, stamped when it is written, as from a real Instrument.
   */
  private static void pace(Transport transport, int size, double rate, int messages) throws IOException {
    long interval = (long) (1e9 / rate);
    long start = System.nanoTime();
    int sent = 0;
    while (sent < messages) {
      long now = System.nanoTime();
      while (sent < messages && start + sent * interval <= now) {
        transport.send(size, System.nanoTime());
        sent++;
      }
      transport.flush();
      long wait = start + sent * interval - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }

  private static Latency percentiles(Receiver receiver) {
    long[] sample = receiver.latencies;
    receiver.latencies = null;
    int n = (int) Math.min(receiver.recorded.get(), sample.length);
    long[] sorted = Arrays.copyOf(sample, n);
    Arrays.sort(sorted);
    // Messages that never arrived rank after every one that did.
    int sent = sample.length;
    return new Latency(rank(sorted, sent / 2), rank(sorted, Math.min(sent - 1, (int) (sent * 0.99))),
        100.0 * (sent - n) / sent);
  }

  private static double rank(long[] sorted, int index) {
    return index < sorted.length ? sorted[index] / 1e3 : Double.POSITIVE_INFINITY;
  }

  /**
   * Payloads stamped 0, by size: our sender copies one into its send buffer and stamps it there; {@link #payload}
   * clones one for jnats, which keeps the array it is given.
   */
  private static final Map<Integer, byte[]> TEMPLATES = new java.util.concurrent.ConcurrentHashMap<>();

  /** {@code {"t":"<19 digits>","p":"xx…"}}, exactly {@code size} bytes (a string: JSON has no leading zeros). */
  static byte[] payload(int size, long sentNanos) {
    byte[] bytes = TEMPLATES.computeIfAbsent(size, MessagingBench::template).clone();
    stamp(bytes, 0, sentNanos);
    return bytes;
  }

  /** Writes {@code sentNanos} into the payload that starts at {@code offset} of {@code bytes}. */
  static void stamp(byte[] bytes, int offset, long sentNanos) {
    long t = sentNanos;
    for (int i = offset + 24; i >= offset + 6 && t > 0; i--) {
      bytes[i] = (byte) ('0' + t % 10);
      t /= 10;
    }
  }

  private static byte[] template(int size) {
    String head = "{\"t\":\"" + "0".repeat(19) + "\",\"p\":\"";
    int pad = size - head.length() - 2;
    return (head + "x".repeat(Math.max(0, pad)) + "\"}").getBytes(StandardCharsets.US_ASCII);
  }

  /** The timestamp of a payload that starts at {@code offset} of {@code buffer}. */
  static long timestamp(byte[] buffer, int offset) {
    long t = 0;
    for (int i = offset + 6; i < offset + 25; i++) {
      t = t * 10 + (buffer[i] - '0');
    }
    return t;
  }

  /** Median p50 / median p99 of one column; its median loss where the p99 is a lost message. */
  private static String medianCell(List<Cell> cells, java.util.function.Function<Cell, Latency> column) {
    return new Latency(median(cells, c -> column.apply(c).p50Micros()), median(cells, c -> column.apply(c).p99Micros()),
        median(cells, c -> column.apply(c).lostPercent())).cell();
  }

  private static <T> double median(List<T> values, java.util.function.ToDoubleFunction<T> f) {
    double[] xs = values.stream().mapToDouble(f).sorted().toArray();
    return xs[xs.length / 2];
  }

  // ---- our bus ---------------------------------------------------------------------------------------------------

  /**
   * An actor system with the gate and two channels (on the bus dispatcher, as the platform spawns them), and two raw
   * protocol clients on their sockets.
   */
  static final class OurBus implements Transport {
    /** As the platform spawns the bus's actors ({@code -Dbench.bus.dispatcher=false}: on the default dispatcher). */
    private static final org.apache.pekko.actor.typed.Props BUS =
        Boolean.parseBoolean(System.getProperty("bench.bus.dispatcher", "true"))
            ? org.apache.pekko.actor.typed.DispatcherSelector.fromConfig(ChannelSettings.BUS_DISPATCHER)
            : org.apache.pekko.actor.typed.Props.empty();
    private final AutoCloseable platform;
    private final Optional<Process> process;
    private final SocketChannel out;
    private final SocketChannel in;
    private final Thread reader;
    private final ByteBuffer pending = ByteBuffer.allocate(1 << 20);
    /** What precedes the payload in the bench's {@code send} lines, and in the {@code deliver} lines they become. */
    static final String SEND_HEAD = "{\"type\":\"send\",\"to\":\"" + RECEIVER + "\",\"payload\":";
    static final String DELIVER_HEAD = "{\"type\":\"deliver\",\"from\":\"" + SENDER + "\",\"payload\":";
    private final byte[] prefix = SEND_HEAD.getBytes(StandardCharsets.US_ASCII);

    private OurBus(AutoCloseable platform, Optional<Process> process, SocketChannel out, SocketChannel in,
        Thread reader) {
      this.platform = platform;
      this.process = process;
      this.out = out;
      this.in = in;
      this.reader = reader;
    }

    /**
     * The platform in a JVM of its own, started with this JVM's options (its heap, collector and properties), as a
     * sensor runs apart from its Instruments, and as nats-server runs apart from its clients: the clients' garbage
     * and collections are not the platform's. {@code -Dbench.bus.in-process=true}: in this JVM, as before session 7
     * (for a profiler attached to this JVM).
     */
    static Transport open(Receiver receiver) throws Exception {
      return open(receiver, Server.PLATFORM);
    }

    /** {@link RelayFloor} instead of the platform, in the same way: the floor under our path's latency. */
    static Transport openFloor(Receiver receiver) throws Exception {
      return open(receiver, Server.RELAY);
    }

    /** The C relay (bench/floors/relay.c, built by bench/messaging.sh) instead of the platform. */
    static Transport openNativeFloor(Receiver receiver) throws Exception {
      return open(receiver, Server.NATIVE_RELAY);
    }

    /** What serves the bench's two sockets, in a process of its own. */
    enum Server {
      PLATFORM,
      RELAY,
      /** {@code -Dbench.floor.native=PATH}: the built {@code bench/floors/relay.c}. */
      NATIVE_RELAY;

      /** The command that serves under {@code root}: this JVM's java and options for the JVM ones. */
      List<String> command(Path root) {
        if (this == NATIVE_RELAY) {
          return List.of(System.getProperty("bench.floor.native", "bench/target/relay"), root.toString());
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        command.addAll(this == PLATFORM
            ? List.of(MessagingBench.class.getName(), "platform", root.toString())
            : List.of(RelayFloor.class.getName(), root.toString()));
        return command;
      }
    }

    private static Transport open(Receiver receiver, Server server) throws Exception {
      Path root;
      AutoCloseable platform;
      Optional<Process> process;
      if (server == Server.PLATFORM
          && (Boolean.getBoolean("bench.bus.in-process") || Boolean.getBoolean("bench.profile"))) {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "sfb");
        ActorSystem<Void> system = startPlatform(dir);
        root = dir;
        process = Optional.empty();
        platform = () -> {
          system.terminate();
          system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
          deleteTree(dir);
        };
      } else {
        root = shared(server);
        process = Optional.of(SHARED.get(server));
        platform = () -> { };  // kept for the next run: its JIT stays warm, as a sensor's does
      }
      SocketChannel out = connect(root.resolve(SENDER.value()).resolve(BusSocket.SOCKET_NAME), SENDER);
      SocketChannel in = connect(root.resolve(RECEIVER.value()).resolve(BusSocket.SOCKET_NAME), RECEIVER);
      Thread reader = Thread.ofPlatform().daemon().name("bench-receiver").start(() -> readDeliveries(in, receiver));
      return new OurBus(platform, process, out, in, reader);
    }

    /** The platform's (or the floor's) process for every run of it, and its runtime root; started by the first run. */
    private static final Map<Server, Process> SHARED = new java.util.EnumMap<>(Server.class);
    private static final Map<Server, Path> ROOTS = new java.util.EnumMap<>(Server.class);

    /** The runtime root of {@code server}'s process, started if this is its first run. */
    private static Path shared(Server server) throws IOException {
      Path root = ROOTS.computeIfAbsent(server, s -> {
        try {
          Path dir = Files.createTempDirectory(Path.of("/tmp"), "sfb");
          Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
          return dir;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      if (!SHARED.containsKey(server)) {
        SHARED.put(server, startProcess(server, root));
      }
      return root;
    }

    /** {@code server}'s sockets for {@link NativeClient}, with the same hellos and heads as this JVM's clients. */
    static NativeClient.Endpoint endpoint(Server server) throws IOException {
      Path root = shared(server);
      List<String> args = new ArrayList<>(List.of("bus",
          root.resolve(SENDER.value()).resolve(BusSocket.SOCKET_NAME).toString(),
          root.resolve(RECEIVER.value()).resolve(BusSocket.SOCKET_NAME).toString()));
      for (InstrumentId id : List.of(SENDER, RECEIVER)) {
        args.add(new String(hello(id), StandardCharsets.UTF_8).strip());
      }
      args.add(SEND_HEAD);
      args.add(DELIVER_HEAD);
      return new NativeClient.Endpoint(args, SHARED.get(server).pid(), () -> { });
    }

    /** Starts the platform's (or the floor's) process; it ends when this JVM does (the end of its input). */
    private static Process startProcess(Server server, Path root) throws IOException {
      Process child = new ProcessBuilder(server.command(root)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      var lines = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8));
      String line;
      while ((line = lines.readLine()) != null && !line.equals("ready")) {
        System.err.println(line);
      }
      if (line == null) {
        throw new IOException("the platform's process ended before it was ready");
      }
      Thread.ofPlatform().daemon().start(() -> lines.lines().forEach(System.err::println));
      return child;
    }

    /** The platform's process: starts it, says "ready", and stops at the end of its input. */
    static void servePlatform(Path root) throws Exception {
      ActorSystem<Void> system = startPlatform(root);
      System.out.println("ready");
      System.out.flush();
      while (System.in.read() >= 0) {
        // nothing is sent: the bench closes its end to stop this process
      }
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      System.exit(0);
    }

    /** The gate and the two channels, their sockets under {@code root}; returns once they are spawned. */
    private static ActorSystem<Void> startPlatform(Path root) throws Exception {
      Config config = ConfigFactory.parseMap(Map.of(
          "pekko.loglevel", "WARNING",
          "pekko.persistence.journal.plugin", "pekko.persistence.journal.inmem",
          "sensor.channel.runtime-root", root.toString(),
          "sensor.channel.inbound-frames-per-second", "100000000",
          "sensor.channel.inbound-frame-burst", "100000000",
          "sensor.channel.inbound-bytes-per-second", "512MiB",
          "sensor.channel.inbound-byte-burst", "512MiB",
          "sensor.channel.outbound-queue-size", "100000",
          "sensor.channel.outbound-queue-bytes", "256MiB")).withFallback(ConfigFactory.load());
      var sockets = new CompletableFuture<Void>();
      Behavior<Void> guardian = Behaviors.setup(ctx -> {
        ActorRef<PermissionGate.Command> gate = ctx.spawn(PermissionGate.create(ctx.getSystem().ignoreRef(),
            ctx.getSystem().ignoreRef(), Clock.systemUTC()), "bus", BUS);
        gate.tell(new PermissionGate.PolicyChanged(PermissionPolicy.of(Grant.send(SENDER, RECEIVER))));
        ChannelSettings settings = ChannelSettings.from(config);
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        var owner = new BusSocket.Owner((int) uid, (int) uid);
        for (InstrumentId id : List.of(SENDER, RECEIVER)) {
          ctx.spawn(InstrumentChannel.create(id, owner, PeerCheck.uid(uid), settings, ctx.getSystem().ignoreRef(),
              ctx.getSystem().ignoreRef(), gate), "channel-" + id, BUS);
        }
        sockets.complete(null);
        return Behaviors.empty();
      });
      ActorSystem<Void> system = ActorSystem.create(guardian, "bench", config);
      sockets.get(30, TimeUnit.SECONDS);
      return system;
    }

    /** The hello line the bench's client for {@code id} sends. */
    private static byte[] hello(InstrumentId id) {
      return FrameCodec.standard().encode(new Frame.Hello("h1", List.copyOf(Handshake.SUPPORTED_VERSIONS), id,
          "bench/1"));
    }

    /**
     * Connects and says hello; retries until the channel listens and welcomes (it refuses a connection while it
     * still holds the previous run's, answering {@code error not-ready}).
     */
    private static SocketChannel connect(Path socket, InstrumentId id) throws IOException {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (true) {
        if (Files.exists(socket)) {
          SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
          try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(hello(id)));
            if (firstLine(channel).contains("\"type\":\"welcome\"")) {
              return channel;
            }
          } catch (IOException e) {
            // not listening yet, or closed on us: try again
          }
          channel.close();
        }
        if (System.nanoTime() > deadline) {
          throw new IOException("no welcome on " + socket);
        }
        LockSupport.parkNanos(10_000_000);
      }
    }

    private static String firstLine(SocketChannel channel) throws IOException {
      var line = new java.io.ByteArrayOutputStream();
      ByteBuffer one = ByteBuffer.allocate(1);
      do {
        one.clear();
        if (channel.read(one) < 0) {
          throw new IOException("closed before a line");
        }
        line.write(one.get(0));
      } while (one.get(0) != '\n');
      return line.toString(StandardCharsets.UTF_8);
    }

    /**
     * Frames are {@code {"type":"deliver","from":"bench-a","payload":{"t":…}}}: the payload follows a fixed head.
     * Found with the platform's own newline search and compared with one vectorised {@code Arrays.equals}, so this
     * client costs the machine little (at 1 KiB and ~300 k msgs/s a byte-by-byte scan took a good part of a core).
     */
    private static void readDeliveries(SocketChannel in, Receiver receiver) {
      byte[] head = DELIVER_HEAD.getBytes(StandardCharsets.US_ASCII);
      ByteBuffer buffer = ByteBuffer.allocate(4 << 20);
      try {
        while (in.read(buffer) >= 0) {
          byte[] a = buffer.array();
          int end = buffer.position();
          int start = 0;
          for (int i = Newlines.indexOf(a, 0, end); i < end; i = Newlines.indexOf(a, start, end)) {
            if (i - start > head.length && Arrays.equals(a, start, start + head.length, head, 0, head.length)) {
              receiver.onPayload(timestamp(a, start + head.length));
            }
            start = i + 1;
          }
          System.arraycopy(a, start, a, 0, end - start);
          buffer.position(end - start);
        }
      } catch (IOException e) {
        // closed at the end
      }
    }

    @Override
    public void send(int size, long sentNanos) throws IOException {
      if (pending.remaining() < prefix.length + size + 2) {
        flush();
      }
      pending.put(prefix);
      int at = pending.position();
      pending.put(TEMPLATES.computeIfAbsent(size, MessagingBench::template));
      stamp(pending.array(), at, sentNanos);  // the template's copy, stamped where it lies: no array per message
      pending.put((byte) '}').put((byte) '\n');
    }

    @Override
    public void flush() throws IOException {
      pending.flip();
      while (pending.hasRemaining()) {
        out.write(pending);
      }
      pending.clear();
    }

    @Override
    public long externalCpuNanos() {
      return process.map(p -> processCpuNanos(p.pid())).orElse(0L);
    }

    @Override
    public void close() throws Exception {
      out.close();
      in.close();
      reader.join(5_000);
      platform.close();
    }
  }

  /** Deletes {@code dir} and what is under it, as far as it can. */
  static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }

  /** User and system CPU time of another process, from {@code /proc/<pid>/stat}; 0 once it is gone. */
  static long processCpuNanos(long pid) {
    try {
      String[] stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat")).split(" ");
      long ticks = Long.parseLong(stat[13]) + Long.parseLong(stat[14]);
      return ticks * 10_000_000L;  // USER_HZ = 100
    } catch (IOException e) {
      return 0;
    }
  }

  // ---- NATS ------------------------------------------------------------------------------------------------------

  /** Debian's nats-server with authorization, and jnats publisher and subscriber connections. */
  static final class NatsBus implements Transport {
    private final Server server;
    private final Connection pub;
    private final Connection sub;

    private NatsBus(Server server, Connection pub, Connection sub) {
      this.server = server;
      this.pub = pub;
      this.sub = sub;
    }

    /**
     * A user of the server's authorization block: the publisher may only publish the subject, the subscriber only
     * subscribe to it.
     */
    record User(String name, String password) {
      /** The line that logs this user in over NATS's text protocol (what jnats sends, without its options). */
      String connectLine() {
        return "CONNECT {\"verbose\":false,\"pedantic\":false,\"user\":\"" + name + "\",\"pass\":\"" + password
            + "\"}";
      }
    }

    static final User PUBLISHER = new User("pub", "pubsecret");
    static final User SUBSCRIBER = new User("sub", "subsecret");

    /** nats-server with authorization, for {@link NativeClient}; stopped when the endpoint is closed. */
    static NativeClient.Endpoint endpoint() throws Exception {
      Server server = Server.start();
      return new NativeClient.Endpoint(List.of("nats", "127.0.0.1", Integer.toString(server.port()),
          PUBLISHER.connectLine(), SUBSCRIBER.connectLine(), SUBJECT),
          server.process().pid(), server::close);
    }

    /** A running nats-server, its port and its directory (configuration, log). */
    record Server(Process process, int port, Path dir) implements AutoCloseable {
      static Server start() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
          port = probe.getLocalPort();
        }
        Path dir = Files.createTempDirectory("sfb-nats");
        Path conf = dir.resolve("nats.conf");
        Files.writeString(conf, """
            listen: 127.0.0.1:%d
            authorization {
              users = [
                {user: %s, password: %s, permissions: {publish: "%s", subscribe: "_INBOX.>"}}
                {user: %s, password: %s, permissions: {subscribe: "%s", publish: "_INBOX.>"}}
              ]
            }
            """.formatted(port, PUBLISHER.name(), PUBLISHER.password(), SUBJECT, SUBSCRIBER.name(),
            SUBSCRIBER.password(), SUBJECT));
        Process server = new ProcessBuilder("nats-server", "-c", conf.toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve("nats.log").toFile()).start();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
          try (Socket s = new Socket("127.0.0.1", port)) {
            break;
          } catch (IOException e) {
            if (System.nanoTime() > deadline || !server.isAlive()) {
              throw new IOException("nats-server did not start (is it installed? apt-get install nats-server)", e);
            }
            LockSupport.parkNanos(20_000_000);
          }
        }
        return new Server(server, port, dir);
      }

      @Override
      public void close() throws Exception {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
        deleteTree(dir);
      }
    }

    static Transport open(Receiver receiver) throws Exception {
      Server server = Server.start();
      String url = "nats://127.0.0.1:" + server.port();
      Connection sub = Nats.connect(new Options.Builder().server(url)
          .userInfo(SUBSCRIBER.name(), SUBSCRIBER.password()).build());
      Dispatcher dispatcher = sub.createDispatcher(msg -> receiver.onPayload(timestamp(msg.getData(), 0)));
      dispatcher.setPendingLimits(-1, -1);
      dispatcher.subscribe(SUBJECT);
      sub.flush(Duration.ofSeconds(5));
      Connection pub = Nats.connect(new Options.Builder().server(url)
          .userInfo(PUBLISHER.name(), PUBLISHER.password()).build());
      return new NatsBus(server, pub, sub);
    }

    @Override
    public void send(int size, long sentNanos) {
      // jnats keeps the array until its writer thread has sent it: one per stamped message; unstamped ones share one.
      pub.publish(SUBJECT, sentNanos == 0 ? TEMPLATES.computeIfAbsent(size, MessagingBench::template)
          : payload(size, sentNanos));
    }

    @Override
    public void flush() {
      // jnats writes from its own thread; flushing per message would measure round trips instead.
    }

    @Override
    public long externalCpuNanos() {
      return processCpuNanos(server.process().pid());
    }

    @Override
    public void close() throws Exception {
      pub.close();
      sub.close();
      server.close();
    }
  }
}
