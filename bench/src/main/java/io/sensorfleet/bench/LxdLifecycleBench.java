package io.sensorfleet.bench;

import io.sensorfleet.core.runtime.ContainerRuntime;
import io.sensorfleet.core.runtime.ContainerSpec;
import io.sensorfleet.core.runtime.ResourceLimits;
import io.sensorfleet.core.runtime.SecureDefaults;
import io.sensorfleet.lxd.LxdRuntime;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;

/**
 * Container lifecycle through our LXD adapter against the {@code lxc} CLI, in the same run on the same image
 * and the same instance config (the secure defaults), alternating so both see the same machine load.
 *
 * <p>Measures create+start until the start operation reports success, and force-stop+delete. Usage:
 * {@code bench/lxd-lifecycle.sh [runs] [image]}; prints a Markdown table for docs/benchmarks.md.
 */
public final class LxdLifecycleBench {

  private static final String PREFIX = "sfb-";
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private LxdLifecycleBench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    String image = args.length > 1 ? args[1] : "sensorfleet/base";
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench");
    try {
      ContainerRuntime lxd = LxdRuntime.create(system);
      Map<String, String> config = SecureDefaults.config(ResourceLimits.of(1, 128, 100));
      List<Long> oursUp = new ArrayList<>();
      List<Long> oursDown = new ArrayList<>();
      List<Long> cliUp = new ArrayList<>();
      List<Long> cliDown = new ArrayList<>();
      warmUp(lxd, image, config);
      for (int i = 0; i < runs; i++) {
        String ours = PREFIX + "ours-" + i;
        String cli = PREFIX + "cli-" + i;
        long t0 = System.nanoTime();
        await(lxd.create(new ContainerSpec(ours, image, config, Map.of(), Map.of()))
            .thenCompose(v -> lxd.start(ours)));
        long t1 = System.nanoTime();
        await(lxd.stop(ours, Duration.ZERO).thenCompose(v -> lxd.delete(ours)));
        long t2 = System.nanoTime();
        oursUp.add(t1 - t0);
        oursDown.add(t2 - t1);

        List<String> launch = new ArrayList<>(List.of("lxc", "launch", image, cli));
        config.forEach((k, v) -> launch.addAll(List.of("-c", k + "=" + v)));
        long c0 = System.nanoTime();
        run(launch);
        long c1 = System.nanoTime();
        run(List.of("lxc", "delete", "--force", cli));
        long c2 = System.nanoTime();
        cliUp.add(c1 - c0);
        cliDown.add(c2 - c1);
        System.err.printf("run %d/%d: ours %d+%d ms, lxc %d+%d ms%n", i + 1, runs, ms(t1 - t0), ms(t2 - t1),
            ms(c1 - c0), ms(c2 - c1));
      }
      System.out.printf("| operation (image %s, %d runs, median) | SensorFleet LxdRuntime | lxc CLI | ratio |%n",
          image, runs);
      System.out.println("| --- | --- | --- | --- |");
      row("create + start, to running", oursUp, cliUp);
      row("force stop + delete", oursDown, cliDown);
    } finally {
      Http.get(system).shutdownAllConnectionPools().toCompletableFuture().get(10, TimeUnit.SECONDS);
      system.terminate();
    }
  }

  /** One untimed round of each, so the image is unpacked and both paths are warm. */
  private static void warmUp(ContainerRuntime lxd, String image, Map<String, String> config) throws Exception {
    String name = PREFIX + "warm";
    run(List.of("lxc", "delete", "--force", name), true);
    await(lxd.create(new ContainerSpec(name, image, config, Map.of(), Map.of())).thenCompose(v -> lxd.start(name)));
    await(lxd.stop(name, Duration.ZERO).thenCompose(v -> lxd.delete(name)));
  }

  private static void row(String what, List<Long> ours, List<Long> cli) {
    long o = median(ours);
    long c = median(cli);
    System.out.printf("| %s | %d ms | %d ms | %.2f |%n", what, ms(o), ms(c), (double) o / c);
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static void await(java.util.concurrent.CompletionStage<Void> stage) throws Exception {
    stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    run(command, false);
  }

  private static void run(List<String> command, boolean mayFail) throws IOException, InterruptedException {
    // stdin from /dev/null: `lxc launch` reads instance YAML from a stdin that is not a terminal.
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish");
    }
    if (p.exitValue() != 0 && !mayFail) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
  }
}
