package io.sensorfleet.actors.capture;

import io.sensorfleet.capture.CaptureMain;
import io.sensorfleet.capture.control.CaptureClient;
import io.sensorfleet.capture.control.ControlReply;
import io.sensorfleet.capture.control.ControlRequest;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Capture Engine as a process of its own: {@code java … CaptureMain --control <dir>/capture.sock
 * --exit-with-stdin --in IFACE …}, started through {@code setpriv} as an unprivileged user whose only capability
 * is CAP_NET_RAW (inheritable, ambient and bounding set; no_new_privs), so the platform never mirrors as root and
 * the engine can do nothing but raw packet I/O. Its output goes to this class's log; its stdin stays open while
 * the platform lives, so it stops when the platform dies. See docs/capture.md.
 */
public final class CaptureProcess implements CaptureControl {
  private static final Logger log = LoggerFactory.getLogger(CaptureProcess.class);
  /** The jars the engine needs (capture-stream's runtime dependencies): nothing else is on its class path. */
  private static final List<String> JARS = List.of("sensorfleet-capture-stream", "sensorfleet-core", "pekko-actor_",
      "pekko-stream_", "pekko-protobuf-v3_", "scala-library", "reactive-streams", "ssl-config-core", "config-",
      "picocli", "jackson-");
  private static final List<String> JVM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED",
      "--sun-misc-unsafe-memory-access=allow");
  private static final int LAST_WORDS = 12;

  private final CaptureProcessSettings settings;
  private final Executor blocking;

  private CaptureProcess(CaptureProcessSettings settings, Executor blocking) {
    this.settings = settings;
    this.blocking = blocking;
  }

  /** Starts and waits for engine processes on {@code blocking} (the actor system's blocking dispatcher). */
  public static CaptureProcess create(CaptureProcessSettings settings, Executor blocking) {
    return new CaptureProcess(settings, blocking);
  }

  @Override
  public CompletionStage<Session> start(List<String> interfaces) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return launch(interfaces);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e.getMessage(), e);
      }
    }, blocking);
  }

  /** The command that starts the engine; the privilege drop first when a user is configured. */
  List<String> command(List<String> interfaces, String classPath) {
    List<String> cmd = new ArrayList<>();
    settings.user().ifPresent(user -> cmd.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + user,
        "--clear-groups", "--inh-caps=-all,+net_raw", "--ambient-caps=-all,+net_raw",
        "--bounding-set=-all,+net_raw", "--no-new-privs", "--")));
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_FLAGS);
    cmd.addAll(settings.jvmOptions());
    cmd.addAll(List.of("-cp", classPath, CaptureMain.class.getName(), "--control", settings.socket().toString(),
        "--exit-with-stdin"));
    for (String iface : interfaces) {
      cmd.addAll(List.of("--in", iface));
    }
    return cmd;
  }

  private Session launch(List<String> interfaces) throws IOException {
    for (String iface : interfaces) {
      if (!Files.exists(Path.of("/sys/class/net", iface))) {
        throw new IllegalStateException("capture interface '" + iface + "' (sensor.interfaces.capture) does not exist"
            + " on this host");
      }
    }
    prepareDirectory();
    Files.deleteIfExists(settings.socket());
    List<String> cmd = command(interfaces, classPath());
    log.info("starting the capture engine: {}", String.join(" ", cmd));
    Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Deque<String> lastWords = new ArrayDeque<>();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread.ofPlatform().daemon().name("capture-engine-output").start(() -> {
      try (var out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          log.info("capture engine: {}", line);
          synchronized (lastWords) {
            lastWords.addLast(line);
            if (lastWords.size() > LAST_WORDS) {
              lastWords.removeFirst();
            }
          }
          if (line.equals("ready")) {
            ready.complete(null);
          }
        }
      } catch (IOException e) {
        // the process is gone
      }
    });
    CompletableFuture<String> ended = process.onExit().thenApply(p -> {
      synchronized (lastWords) {
        return "exit status " + p.exitValue() + (lastWords.isEmpty() ? "" : ": " + lastWords.peekLast());
      }
    });
    try {
      CompletableFuture.anyOf(ready, ended).get(settings.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("the capture engine did not get ready within " + settings.startTimeout());
    }
    if (!ready.isDone()) {
      String why;
      synchronized (lastWords) {
        why = lastWords.stream().filter(l -> l.startsWith("capture:")).reduce((a, b) -> b)
            .orElse(ended.join());
      }
      throw new IllegalStateException("the capture engine did not start: " + why);
    }
    CaptureClient client;
    try {
      client = CaptureClient.connect(settings.socket());
    } catch (IOException e) {
      process.destroyForcibly();
      throw e;
    }
    return new ProcessSession(process, client, ended, settings);
  }

  /** The socket's directory belongs to the engine's user alone; root (the platform) still connects. */
  private void prepareDirectory() throws IOException {
    Path dir = Files.createDirectories(settings.directory());
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    if (settings.user().isPresent()) {
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      String user = settings.user().get();
      try {
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        view.setOwner(users.lookupPrincipalByName(user));
        view.setGroup(users.lookupPrincipalByGroupName(user));
      } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
        throw new IllegalStateException("the capture engine's user '" + user + "' (sensor.capture.process.user) does"
            + " not exist: run ./sensorfleet setup");
      }
    }
  }

  /**
   * The engine's class path: its jars out of this JVM's class path (and class directories, in a build tree). With a
   * user of its own the jars are copied to a world-readable directory, because the platform's may sit where only
   * root can read (e.g. /root/.m2).
   */
  private String classPath() throws IOException {
    List<String> entries = new ArrayList<>();
    Path lib = null;
    if (settings.user().isPresent()) {
      lib = Files.createDirectories(settings.libDirectory());
      Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      String name = p.getFileName() == null ? "" : p.getFileName().toString();
      if (Files.isDirectory(p)) {
        entries.add(entry);
      } else if (name.endsWith(".jar") && JARS.stream().anyMatch(name::startsWith)) {
        if (lib == null) {
          entries.add(entry);
        } else {
          Path copy = lib.resolve(name);
          if (!Files.exists(copy) || Files.size(copy) != Files.size(p)
              || Files.getLastModifiedTime(copy).compareTo(Files.getLastModifiedTime(p)) < 0) {
            Files.copy(p, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
          }
          Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
          entries.add(copy.toString());
        }
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  private static final class ProcessSession implements Session {
    private final Process process;
    private final CaptureClient client;
    private final CompletableFuture<String> ended;
    private final CaptureProcessSettings settings;
    /** One thread: requests reach the socket in the order they were made. */
    private final ExecutorService calls = Executors.newSingleThreadExecutor(
        Thread.ofPlatform().daemon().name("capture-control-client").factory());

    ProcessSession(Process process, CaptureClient client, CompletableFuture<String> ended,
                   CaptureProcessSettings settings) {
      this.process = process;
      this.client = client;
      this.settings = settings;
      this.ended = ended.whenComplete((s, e) -> {
        calls.shutdownNow();
        try {
          client.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      });
    }

    @Override
    public CompletionStage<ControlReply> call(ControlRequest request) {
      try {
        return CompletableFuture.supplyAsync(() -> {
          try {
            return client.call(request);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException("capture engine: " + e.getMessage(), e);
          }
        }, calls).orTimeout(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return CompletableFuture.failedFuture(new IllegalStateException("the capture engine has ended"));
      }
    }

    @Override
    public CompletionStage<String> ended() {
      return ended;
    }

    @Override
    public void stop() {
      process.destroy();
      CompletableFuture.delayedExecutor(settings.stopGrace().toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
        if (process.isAlive()) {
          process.destroyForcibly();
        }
      });
    }
  }
}
