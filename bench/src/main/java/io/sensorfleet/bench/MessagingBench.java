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
 *   <li>latency at half of the peak rate measured in the same run, and at 10 k msgs/s, paced, each recorded after
 *       {@link #PACED_WARM_UP_SECONDS} at its rate.
 * </ul>
 *
 * <p>The platform runs in a JVM of its own, as nats-server runs apart from its clients; it is started with this JVM's
 * options once and serves every run of ours, so its JIT is warm after the first. It runs with its inbound shaping
 * raised (the default, 2000 frames/s per Instrument, is a containment
 * setting, not a speed limit). Usage: {@code bench/messaging.sh [runs=3] [messages=300000]}; prints Markdown.
 */
public final class MessagingBench {

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
    /** Sends one message with this payload (must not block for long). */
    void send(byte[] payload) throws IOException;

    /** Sends what {@link #send} buffered. */
    void flush() throws IOException;

    /** Extra CPU nanoseconds spent outside this JVM so far (the NATS server); 0 for us. */
    long externalCpuNanos();
  }

  record Throughput(double msgsPerSecond, double cpuMicrosPerMessage) {}

  record Latency(double p50Micros, double p99Micros) {}

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
    Map<String, List<List<Cell>>> cells = new java.util.LinkedHashMap<>();
    cells.put("SensorFleet bus", new ArrayList<>());
    cells.put("NATS", new ArrayList<>());
    for (int size : SIZES) {
      List<Cell> ours = new ArrayList<>();
      List<Cell> nats = new ArrayList<>();
      for (int run = 0; run < runs; run++) {
        System.err.printf("size %d B, run %d/%d: SensorFleet bus...%n", size, run + 1, runs);
        ours.add(measure(OurBus::open, size, messages));
        System.err.printf("size %d B, run %d/%d: NATS...%n", size, run + 1, runs);
        nats.add(measure(NatsBus::open, size, messages));
      }
      cells.get("SensorFleet bus").add(ours);
      cells.get("NATS").add(nats);
    }
    System.out.println("| path | 128 B msgs/s | CPU µs/msg | p50 / p99 µs (1 in flight) | p50 / p99 µs at half peak"
        + " | p50 / p99 µs at 10 k/s | 1 KiB msgs/s | CPU µs/msg | p50 / p99 µs (1 in flight)"
        + " | p50 / p99 µs at half peak | p50 / p99 µs at 10 k/s |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (var row : cells.entrySet()) {
      StringBuilder line = new StringBuilder("| " + row.getKey() + " |");
      for (List<Cell> bySize : row.getValue()) {
        line.append(String.format(" %,.0f | %.1f | %.0f / %.0f | %.0f / %.0f | %.0f / %.0f |",
            median(bySize, c -> c.throughput().msgsPerSecond()),
            median(bySize, c -> c.throughput().cpuMicrosPerMessage()),
            median(bySize, c -> c.latency().p50Micros()), median(bySize, c -> c.latency().p99Micros()),
            median(bySize, c -> c.halfLoad().p50Micros()), median(bySize, c -> c.halfLoad().p99Micros()),
            median(bySize, c -> c.moderate().p50Micros()), median(bySize, c -> c.moderate().p99Micros())));
      }
      System.out.println(line);
    }
    System.out.printf("%nmedians of %d interleaved runs, %,d messages per throughput run (20 %% warm-up), %d in"
        + " flight; latency %,d samples; half peak = 50 %% of the same run's throughput, paced; each paced rate"
        + " recorded for %d s after %.0f s of it.%n",
        runs, messages, INFLIGHT, LATENCY_SAMPLES, PACED_SECONDS, PACED_WARM_UP_SECONDS);
    System.exit(0);
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
   * {@code -Dbench.latency=true}: only the two moderate-load columns (1 in flight, 10 k msgs/s) at 128 B
   * ({@code -Dbench.profile.size=1024}: 1 KiB), ours and NATS alternating, after a throughput run of
   * {@code messages} as warm-up; prints each run and the medians. For comparing builds quickly on a noisy machine
   * ({@code -Dbench.latency.nats=false}: ours only, e.g. to count its context switches with {@code perf stat}).
   */
  private static void latencyOnly(int runs, int messages) throws Exception {
    int size = Integer.getInteger("bench.profile.size", 128);
    Map<String, List<Latency[]>> results = new java.util.LinkedHashMap<>();
    results.put("SensorFleet bus", new ArrayList<>());
    if (Boolean.parseBoolean(System.getProperty("bench.latency.nats", "true"))) {
      results.put("NATS", new ArrayList<>());
    }
    for (int run = 0; run < runs; run++) {
      for (var entry : results.entrySet()) {
        Opener opener = entry.getKey().equals("NATS") ? NatsBus::open : OurBus::open;
        Receiver receiver = new Receiver();
        try (Transport transport = opener.open(receiver)) {
          throughput(transport, receiver, size, messages);
          Latency one = latency(transport, receiver, size);
          Latency moderate = paced(transport, receiver, size, MODERATE_RATE);
          entry.getValue().add(new Latency[] {one, moderate});
          System.out.printf("run %d %-16s 1 in flight %4.0f / %5.0f µs   10 k/s %4.0f / %5.0f µs%n", run,
              entry.getKey(), one.p50Micros(), one.p99Micros(), moderate.p50Micros(), moderate.p99Micros());
        }
      }
    }
    for (var entry : results.entrySet()) {
      List<Latency[]> r = entry.getValue();
      System.out.printf("median %-16s 1 in flight %4.0f / %5.0f µs   10 k/s %4.0f / %5.0f µs%n", entry.getKey(),
          median(r, x -> x[0].p50Micros()), median(r, x -> x[0].p99Micros()),
          median(r, x -> x[1].p50Micros()), median(r, x -> x[1].p99Micros()));
    }
    System.exit(0);
  }

  @FunctionalInterface
  interface Opener {
    Transport open(Receiver receiver) throws Exception;
  }

  private static Cell measure(Opener opener, int size, int messages) throws Exception {
    Receiver receiver = new Receiver();
    try (Transport transport = opener.open(receiver)) {
      Throughput throughput = throughput(transport, receiver, size, messages);
      Latency latency = latency(transport, receiver, size);
      Latency half = paced(transport, receiver, size, throughput.msgsPerSecond() / 2);
      Latency moderate = paced(transport, receiver, size, MODERATE_RATE);
      return new Cell(throughput, latency, half, moderate);
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
  }

  private static Throughput throughput(Transport transport, Receiver receiver, int size, int messages)
      throws IOException {
    long base = receiver.received.get();
    int warmUp = messages / 5;
    byte[] template = payload(size, 0);
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
      transport.send(template);
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
      transport.send(payload(size, System.nanoTime()));
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
    long base = receiver.received.get();
    int warmUp = (int) (rate * PACED_WARM_UP_SECONDS);
    pace(transport, size, rate, warmUp);
    receiver.awaitReceived(base + warmUp);
    receiver.recorded.set(0);
    receiver.latencies = new long[messages];
    pace(transport, size, rate, messages);
    receiver.awaitReceived(base + warmUp + messages);
    return percentiles(receiver);
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
        transport.send(payload(size, System.nanoTime()));
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
    return new Latency(sorted[n / 2] / 1e3, sorted[Math.min(n - 1, (int) (n * 0.99))] / 1e3);
  }

  /** Payloads stamped 0, by size: {@link #payload} copies one, so a message costs the sender one array. */
  private static final Map<Integer, byte[]> TEMPLATES = new java.util.concurrent.ConcurrentHashMap<>();

  /** {@code {"t":"<19 digits>","p":"xx…"}}, exactly {@code size} bytes (a string: JSON has no leading zeros). */
  static byte[] payload(int size, long sentNanos) {
    byte[] bytes = TEMPLATES.computeIfAbsent(size, MessagingBench::template).clone();
    long t = sentNanos;
    for (int i = 24; i >= 6 && t > 0; i--) {
      bytes[i] = (byte) ('0' + t % 10);
      t /= 10;
    }
    return bytes;
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
    private final byte[] prefix;

    private OurBus(AutoCloseable platform, Optional<Process> process, SocketChannel out, SocketChannel in,
        Thread reader) {
      this.platform = platform;
      this.process = process;
      this.out = out;
      this.in = in;
      this.reader = reader;
      this.prefix = ("{\"type\":\"send\",\"to\":\"" + RECEIVER + "\",\"payload\":").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The platform in a JVM of its own, started with this JVM's options (its heap, collector and properties), as a
     * sensor runs apart from its Instruments, and as nats-server runs apart from its clients: the clients' garbage
     * and collections are not the platform's. {@code -Dbench.bus.in-process=true}: in this JVM, as before session 7
     * (for a profiler attached to this JVM).
     */
    static Transport open(Receiver receiver) throws Exception {
      Path root;
      AutoCloseable platform;
      Optional<Process> process;
      if (Boolean.getBoolean("bench.bus.in-process") || Boolean.getBoolean("bench.profile")) {
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
        if (shared == null) {
          sharedRoot = Files.createTempDirectory(Path.of("/tmp"), "sfb");
          shared = startProcess(sharedRoot);
          Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(sharedRoot)));
        }
        root = sharedRoot;
        process = Optional.of(shared);
        platform = () -> { };  // kept for the next run: its JIT stays warm, as a sensor's does
      }
      SocketChannel out = connect(root.resolve(SENDER.value()).resolve(BusSocket.SOCKET_NAME), SENDER);
      SocketChannel in = connect(root.resolve(RECEIVER.value()).resolve(BusSocket.SOCKET_NAME), RECEIVER);
      Thread reader = Thread.ofPlatform().daemon().name("bench-receiver").start(() -> readDeliveries(in, receiver));
      return new OurBus(platform, process, out, in, reader);
    }

    /** The platform's process for every run of ours, and its runtime root; started by the first run. */
    private static Process shared;
    private static Path sharedRoot;

    /** Starts the platform's process; it ends when this JVM does (the end of its input). */
    private static Process startProcess(Path root) throws IOException {
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElseThrow());
      command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), MessagingBench.class.getName(),
          "platform", root.toString()));
      Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
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
            var hello = new Frame.Hello("h1", List.copyOf(Handshake.SUPPORTED_VERSIONS), id, "bench/1");
            channel.write(ByteBuffer.wrap(FrameCodec.standard().encode(hello)));
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
     * Compared with one vectorised {@code Arrays.equals}, so this client costs the measured JVM little.
     */
    private static void readDeliveries(SocketChannel in, Receiver receiver) {
      byte[] head = ("{\"type\":\"deliver\",\"from\":\"" + SENDER + "\",\"payload\":")
          .getBytes(StandardCharsets.US_ASCII);
      ByteBuffer buffer = ByteBuffer.allocate(4 << 20);
      try {
        while (in.read(buffer) >= 0) {
          byte[] a = buffer.array();
          int end = buffer.position();
          int start = 0;
          for (int i = 0; i < end; i++) {
            if (a[i] == '\n') {
              if (i - start > head.length && Arrays.equals(a, start, start + head.length, head, 0, head.length)) {
                receiver.onPayload(timestamp(a, start + head.length));
              }
              start = i + 1;
            }
          }
          System.arraycopy(a, start, a, 0, end - start);
          buffer.position(end - start);
        }
      } catch (IOException e) {
        // closed at the end
      }
    }

    @Override
    public void send(byte[] payload) throws IOException {
      if (pending.remaining() < prefix.length + payload.length + 2) {
        flush();
      }
      pending.put(prefix).put(payload).put((byte) '}').put((byte) '\n');
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
    private final Process server;
    private final Connection pub;
    private final Connection sub;
    private final Path dir;

    private NatsBus(Process server, Connection pub, Connection sub, Path dir) {
      this.server = server;
      this.pub = pub;
      this.sub = sub;
      this.dir = dir;
    }

    static Transport open(Receiver receiver) throws Exception {
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
              {user: pub, password: pubsecret, permissions: {publish: "%s", subscribe: "_INBOX.>"}}
              {user: sub, password: subsecret, permissions: {subscribe: "%s", publish: "_INBOX.>"}}
            ]
          }
          """.formatted(port, SUBJECT, SUBJECT));
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
      String url = "nats://127.0.0.1:" + port;
      Connection sub = Nats.connect(new Options.Builder().server(url).userInfo("sub", "subsecret").build());
      Dispatcher dispatcher = sub.createDispatcher(msg -> receiver.onPayload(timestamp(msg.getData(), 0)));
      dispatcher.setPendingLimits(-1, -1);
      dispatcher.subscribe(SUBJECT);
      sub.flush(Duration.ofSeconds(5));
      Connection pub = Nats.connect(new Options.Builder().server(url).userInfo("pub", "pubsecret").build());
      return new NatsBus(server, pub, sub, dir);
    }

    @Override
    public void send(byte[] payload) {
      pub.publish(SUBJECT, payload);
    }

    @Override
    public void flush() {
      // jnats writes from its own thread; flushing per message would measure round trips instead.
    }

    @Override
    public long externalCpuNanos() {
      return processCpuNanos(server.pid());
    }

    @Override
    public void close() throws Exception {
      pub.close();
      sub.close();
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
      deleteTree(dir);
    }
  }
}
