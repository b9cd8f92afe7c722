package io.sensorfleet.capture;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sensorfleet.capture.control.CaptureDaemon;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.ActorSystem;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sensorfleet capture --in IFACE --out PORT[=FILTER] ...}: the product's own mirror graph
 * ({@link CaptureEngine}) from the command line, for benchmarks and field debugging. Prints {@code ready} on
 * stderr once every socket is open, mirrors until SIGTERM/SIGINT, then prints one stats line on stdout
 * ({@link CaptureStats#statsLine}). Exit status 2 for a bad command line or filter, 1 if a socket cannot be set
 * up or capture fails.
 */
@Command(name = "sensorfleet capture", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Mirror every frame arriving on IFACE to each PORT (optionally only those matching a pcap"
        + " FILTER), until SIGTERM; then print: rx=N ring_drops=N queue_drops=N"
        + " PORT=delivered/dropped/filtered/bytes ...",
    footer = "Settings: sensor.capture.* in capture-stream's reference.conf, overridable with -D (JAVA_OPTS).")
public final class CaptureMain implements Callable<Integer> {

  @Option(names = "--in", required = true, paramLabel = "IFACE",
      description = "capture interface (repeatable with --control)")
  List<String> ins;

  @Option(names = "--out", paramLabel = "PORT[=FILTER]",
      description = "mirror port, with an optional pcap filter expression (repeatable)")
  List<String> outs = List.of();

  @Option(names = "--control", paramLabel = "SOCKET",
      description = "serve the platform on this unix socket (newline-delimited JSON: attach, detach, stats)"
          + " instead of a fixed set of ports; capture.md")
  Path control;

  @Option(names = "--exit-with-stdin",
      description = "with --control: stop when standard input reaches its end (the supervising platform died)")
  boolean exitWithStdin;

  @Option(names = "--no-qdisc-bypass",
      description = "send through each port's qdisc (e.g. to shape it with tc); default: PACKET_QDISC_BYPASS")
  boolean noQdiscBypass;

  private final PrintStream out = System.out;
  private final PrintStream err = System.err;

  public static void main(String[] args) {
    int rc = new CommandLine(new CaptureMain()).execute(args);
    System.exit(rc);
  }

  @Override
  public Integer call() throws Exception {
    // No Pekko shutdown hook: ours stops the engine first, prints the stats, then terminates the system.
    Config config = ConfigFactory.parseString("""
        pekko.loglevel = WARNING
        pekko.stdout-loglevel = WARNING
        pekko.jvm-shutdown-hooks = off
        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        # The whole mirror graph (hub and branches, not only the sends) on the capture I/O dispatcher rather than
        # the fork-join default dispatcher: fewer threads to wake and switch between per ring block.
        pekko.stream.materializer.dispatcher = ${sensor.capture.dispatcher}
        """).withFallback(ConfigFactory.load()).resolve();
    if (control == null && (ins.size() != 1 || outs.isEmpty())) {
      err.println("capture: without --control, give exactly one --in and at least one --out");
      return 2;
    }
    ActorSystem system = ActorSystem.create("capture", config);
    CaptureSettings settings = CaptureSettings.from(config);
    if (noQdiscBypass) {
      settings = settings.withQdiscBypass(false);
    }
    if (control != null) {
      return serve(system, settings);
    }
    CaptureEngine engine;
    try {
      engine = CaptureEngine.start(ins.get(0), settings, system);
    } catch (CaptureException e) {
      return fail(system, 1, e);
    }
    try {
      for (String o : outs) {
        int eq = o.indexOf('=');
        String port = eq < 0 ? o : o.substring(0, eq);
        Optional<String> filter = eq < 0 ? Optional.empty() : Optional.of(o.substring(eq + 1));
        engine.attach(port, filter);
      }
    } catch (CaptureException e) {
      engine.stop().toCompletableFuture().get(5, TimeUnit.SECONDS);
      return fail(system, e instanceof InvalidFilterException ? 2 : 1, e);
    }
    AtomicInteger rc = new AtomicInteger();
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    Thread hook = Thread.ofPlatform().unstarted(() -> {
      try {
        CaptureStats stats = engine.stop().toCompletableFuture().get(3, TimeUnit.SECONDS);
        out.println(stats.statsLine());
        err.println("capture: " + stats); // the same, with every field named (overflowed = lost in the buffer)
      } catch (Exception e) {
        out.println(engine.stats().statsLine());
        err.println("capture: stopping: " + e);
      }
      out.flush();
      system.terminate();
      stopped.complete(null);
    });
    Runtime.getRuntime().addShutdownHook(hook);
    engine.done().whenComplete((d, e) -> {
      if (e != null) { // capture failed (e.g. the interface went away): stop as if signalled, exit 1
        err.println("capture: " + e.getMessage());
        rc.set(1);
        if (Runtime.getRuntime().removeShutdownHook(hook)) {
          hook.start();
        }
      }
    });
    err.println("ready");
    err.flush();
    stopped.join();
    system.getWhenTerminated().toCompletableFuture().get(5, TimeUnit.SECONDS);
    return rc.get();
  }

  /**
   * Daemon mode: one engine per {@code --in}, driven over the control socket, until SIGTERM (exit 0) or until
   * capture fails on any interface (exit 1, so the platform's supervisor restarts the process).
   */
  private int serve(ActorSystem system, CaptureSettings settings) throws Exception {
    List<CaptureEngine> engines = new ArrayList<>();
    CaptureDaemon daemon;
    try {
      for (String in : ins) {
        engines.add(CaptureEngine.start(in, settings, system));
      }
      daemon = CaptureDaemon.serve(control, engines);
    } catch (CaptureException | java.io.IOException e) {
      for (CaptureEngine engine : engines) {
        engine.stop().toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
      return fail(system, 1, e);
    }
    AtomicInteger rc = new AtomicInteger();
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    Thread hook = Thread.ofPlatform().unstarted(() -> {
      try {
        daemon.close();
        for (CaptureEngine engine : engines) {
          err.println("capture: " + engine.stop().toCompletableFuture().get(3, TimeUnit.SECONDS));
        }
      } catch (Exception e) {
        err.println("capture: stopping: " + e);
      }
      err.flush();
      system.terminate();
      stopped.complete(null);
    });
    Runtime.getRuntime().addShutdownHook(hook);
    for (CaptureEngine engine : engines) {
      engine.done().whenComplete((d, e) -> {
        if (e != null) {
          err.println("capture: " + engine.iface() + ": " + e.getMessage());
          rc.set(1);
          if (Runtime.getRuntime().removeShutdownHook(hook)) {
            hook.start();
          }
        }
      });
    }
    if (exitWithStdin) {
      // The platform holds our stdin open; if it dies, no orphan keeps mirroring with a stale set of ports.
      Thread.ofPlatform().daemon().name("capture-parent-watch").start(() -> {
        try {
          while (System.in.read() >= 0) {
            // nothing is sent on it
          }
        } catch (java.io.IOException e) {
          // the same as end of input
        }
        err.println("capture: standard input closed: stopping");
        System.exit(0);
      });
    }
    err.println("ready");
    err.flush();
    stopped.join();
    system.getWhenTerminated().toCompletableFuture().get(5, TimeUnit.SECONDS);
    return rc.get();
  }

  private int fail(ActorSystem system, int rc, Exception e) throws Exception {
    err.println("capture: " + e.getMessage());
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(5, TimeUnit.SECONDS);
    return rc;
  }
}
