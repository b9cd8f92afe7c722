package io.sensorfleet.instruments.beacon;

import com.fasterxml.jackson.databind.JsonNode;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.instruments.support.Json;
import io.sensorfleet.sdk.ConfigDecision;
import io.sensorfleet.sdk.ConfigUpdate;
import io.sensorfleet.sdk.DataDirectory;
import io.sensorfleet.sdk.Health;
import io.sensorfleet.sdk.InstrumentClient;
import io.sensorfleet.sdk.RetentionResult;
import io.sensorfleet.sdk.wrap.ProcessLiveness;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The Beacon Instrument: runs the beacon program (a stand-in escape beacon, {@code beacon.sh}: TCP attempts to a
 * list of addresses, one line each) and answers the platform for it.
 *
 * <p>Configuration: {@code {"interface":"eth0","targets":["10.0.0.5:80"],"interval_seconds":5,
 * "heartbeat_seconds":30,"binary_resource":"beacon-bin","resources":[...]}} ({@code resources} is read by the
 * platform, see docs/reference-instruments.md). Health: {@code failed} with a clear reason when the interface does not
 * exist in the container; otherwise {@code healthy} while a line arrived within the last {@code heartbeat_seconds}
 * ({@link ProcessLiveness}), the detail showing the last line and the binary's hash.
 *
 * <p>The binary lives on the persistent volume ({@code beacon/current}, first the version inside this jar). On
 * {@code resource-available} for {@code binary_resource}, the file in the inbox is checked (size, SHA-256), copied
 * next to the current one, synced and renamed over it (atomic: the program is either the old or the new one),
 * the program is restarted, and the platform is told {@code resource-applied} with the old and new hash, which it
 * audits.
 */
public final class Beacon implements AutoCloseable {

  static final InstrumentId PLATFORM = InstrumentId.of("platform");
  private static final System.Logger LOG = System.getLogger("io.sensorfleet.instruments.beacon");
  private static final Pattern TARGET = Pattern.compile("[A-Za-z0-9.:\\[\\]-]{1,253}:[0-9]{1,5}");
  private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9._-]{1,15}");

  /** The configuration it runs with. */
  record Settings(String iface, List<String> targets, int intervalSeconds, Duration heartbeat, String resource) {}

  private final InstrumentClient client;
  private final Path home;
  private final Path inbox;
  private final Path current;
  private final Path sysClassNet;
  private final Clock clock;
  private Optional<Settings> settings = Optional.empty();  // guarded by this
  private Process process;                                 // guarded by this
  private ProcessLiveness liveness;                        // guarded by this
  private volatile String lastLine = "";
  private volatile String lastProblem = "";

  private Beacon(InstrumentClient.Builder builder, Path dataDirectory, Path sysClassNet, Clock clock) {
    this.home = dataDirectory.resolve("beacon");
    this.inbox = dataDirectory.resolve("inbox");
    this.current = home.resolve("current");
    this.sysClassNet = sysClassNet;
    this.clock = clock;
    installDefault();
    this.client = builder
        .software("beacon/" + version())
        .onConfig(this::configure)
        .onHealthQuery(this::health)
        .onResourceAvailable(this::onResource)
        .onRetention(cutoff -> RetentionResult.nothingDeleted("the beacon keeps only its current binary"))
        .onShutdown(reason -> stopProgram())
        .build();
  }

  /**
   * Starts the Beacon; the program starts with the first configuration.
   *
   * @param dataDirectory its persistent volume
   * @param sysClassNet where interfaces are looked up ({@code /sys/class/net} in a container)
   */
  public static Beacon start(InstrumentClient.Builder builder, Path dataDirectory, Path sysClassNet, Clock clock) {
    return new Beacon(builder, dataDirectory, sysClassNet, clock);
  }

  public static void main(String[] args) throws InterruptedException {
    try (Beacon beacon = start(InstrumentClient.builder(), DataDirectory.fromEnvironment(System.getenv()),
        Path.of("/sys/class/net"), Clock.systemUTC())) {
      beacon.client.awaitClosed();
    }
  }

  public InstrumentClient client() {
    return client;
  }

  /** The first start: the beacon inside this jar becomes the current binary. */
  private void installDefault() {
    try {
      Files.createDirectories(home);
      if (!Files.exists(current)) {
        try (InputStream in = Beacon.class.getResourceAsStream("beacon.sh")) {
          if (in == null) {
            throw new IllegalStateException("beacon.sh is missing from the jar");
          }
          replaceAtomically(in.readAllBytes());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + home, e);
    }
  }

  static Settings parse(JsonNode config) {
    String iface = config.path("interface").asText("");
    if (!INTERFACE.matcher(iface).matches()) {
      throw new IllegalArgumentException("interface must be an interface name, e.g. eth0");
    }
    List<String> targets = new ArrayList<>();
    for (JsonNode t : config.path("targets")) {
      if (!TARGET.matcher(t.asText()).matches()) {
        throw new IllegalArgumentException("targets must be host:port, got " + t);
      }
      targets.add(t.asText());
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("targets must list at least one host:port");
    }
    int interval = config.path("interval_seconds").asInt(5);
    int heartbeat = config.path("heartbeat_seconds").asInt(30);
    if (interval < 1 || heartbeat < 1) {
      throw new IllegalArgumentException("interval_seconds and heartbeat_seconds must be at least 1");
    }
    return new Settings(iface, List.copyOf(targets), interval, Duration.ofSeconds(heartbeat),
        config.path("binary_resource").asText("beacon-bin"));
  }

  private ConfigDecision configure(ConfigUpdate update) {
    Settings next;
    try {
      next = parse(Json.read(update.config()));
    } catch (IllegalArgumentException e) {
      return ConfigDecision.reject(e.getMessage());
    }
    synchronized (this) {
      boolean changed = !settings.equals(Optional.of(next));
      settings = Optional.of(next);
      if (changed || process == null) {
        restartProgram();
      }
    }
    return ConfigDecision.accept();
  }

  /** Stops the running program (if any) and starts the current binary with the current settings. */
  private synchronized void restartProgram() {
    stopProgram();
    if (settings.isEmpty()) {
      return;
    }
    Settings s = settings.get();
    List<String> command = new ArrayList<>();
    try {
      byte[] head = new byte[2];
      try (InputStream in = Files.newInputStream(current)) {
        in.readNBytes(head, 0, 2);
      }
      if (head[0] == '#' && head[1] == '!') {
        command.add("/bin/sh");
      } else {
        current.toFile().setExecutable(true, true);
      }
      command.add(current.toString());
      command.add(Integer.toString(s.intervalSeconds()));
      command.addAll(s.targets());
      Process started = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      ProcessLiveness watching = new ProcessLiveness(clock, s.heartbeat());
      process = started;
      liveness = watching;
      lastProblem = "";
      Thread.ofVirtual().name("beacon-output").start(() -> follow(started, watching));
    } catch (IOException e) {
      lastProblem = "cannot start the beacon: " + e.getMessage();
      LOG.log(Level.ERROR, lastProblem);
    }
  }

  private void follow(Process p, ProcessLiveness watching) {
    try (var lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        watching.lineSeen();
        lastLine = line;
        System.out.println(line);  // the container's console keeps the beacon's own record
      }
      watching.exited(p.waitFor());
    } catch (IOException | InterruptedException e) {
      watching.exited(-1);
    }
  }

  private synchronized void stopProgram() {
    if (process != null) {
      Process p = process;
      process = null;
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Health health() {
    Settings s;
    ProcessLiveness watching;
    synchronized (this) {
      if (settings.isEmpty()) {
        return Health.degraded("waiting for a configuration");
      }
      s = settings.get();
      watching = liveness;
    }
    if (!Files.isDirectory(sysClassNet.resolve(s.iface()))) {
      return Health.failed("interface " + s.iface() + " does not exist in this container (its network mode gives it "
          + "no such interface)");
    }
    if (!lastProblem.isEmpty() || watching == null) {
      return Health.failed(lastProblem.isEmpty() ? "the beacon is not running" : lastProblem);
    }
    Health verdict = watching.health();
    String detail = (verdict.detail().isEmpty() ? "" : verdict.detail() + "; ") + "last: " + lastLine
        + "; binary sha256 " + sha256(current);
    return new Health(verdict.status(), detail, verdict.metrics());
  }

  private void onResource(Frame.ResourceAvailable resource) {
    String wanted;
    synchronized (this) {
      wanted = settings.map(Settings::resource).orElse("beacon-bin");
    }
    if (!resource.name().equals(wanted)) {
      LOG.log(Level.INFO, () -> "ignored resource " + resource.name());
      return;
    }
    Path file = Path.of(resource.location()).normalize();
    try {
      if (!file.startsWith(inbox)) {
        throw new IOException(file + " is not in " + inbox);
      }
      byte[] bytes = Files.readAllBytes(file);
      String hash = hex(bytes);
      if (bytes.length != resource.size() || !hash.equals(resource.sha256())) {
        throw new IOException("the file hashes to " + hash + " (" + bytes.length + " bytes), announced "
            + resource.sha256() + " (" + resource.size() + " bytes)");
      }
      String previous = sha256(current);
      if (previous.equals(hash)) {
        return;  // already running it (a redelivery after a platform restart)
      }
      synchronized (this) {
        replaceAtomically(bytes);
        restartProgram();
      }
      Files.deleteIfExists(file);
      Map<String, Object> applied = new LinkedHashMap<>();
      applied.put("type", "resource-applied");
      applied.put("name", resource.name());
      applied.put("version", resource.version());
      applied.put("sha256", hash);
      applied.put("previous_sha256", previous);
      client.send(PLATFORM, Json.write(applied));
      LOG.log(Level.INFO, () -> "beacon binary " + previous + " replaced by " + hash + "; restarted");
    } catch (IOException e) {
      LOG.log(Level.WARNING, () -> "refused " + resource.name() + " " + resource.version() + ": " + e.getMessage());
    }
  }

  /** Writes {@code bytes} next to the current binary, syncs it and renames it over the current one. */
  private void replaceAtomically(byte[] bytes) throws IOException {
    Path next = home.resolve("current.new");
    try (FileChannel out = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      out.write(java.nio.ByteBuffer.wrap(bytes));
      out.force(true);
    }
    next.toFile().setExecutable(true, true);
    Files.move(next, current, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static String sha256(Path file) {
    try {
      return hex(Files.readAllBytes(file));
    } catch (IOException e) {
      return "unreadable";
    }
  }

  static String hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String version() {
    String v = Beacon.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public void close() {
    stopProgram();
    client.close();
  }
}
