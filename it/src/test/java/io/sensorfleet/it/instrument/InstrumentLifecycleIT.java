package io.sensorfleet.it.instrument;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.instrument.HealthTracker;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.ManifestParser;
import io.sensorfleet.core.runtime.ContainerSelector;
import io.sensorfleet.core.runtime.ContainerStatus;
import io.sensorfleet.it.support.Stages;
import io.sensorfleet.it.support.TestSensor;
import io.sensorfleet.lxd.LxdRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Instrument actor on real parts: LXD, the {@code sensorfleet/jvm} image, the sample Instrument's jar, the bus
 * socket bind-mounted into the container, an H2 file journal. Containers are named {@code sf-it<run>-…} and
 * removed afterwards, even when a test fails.
 */
class InstrumentLifecycleIT {

  static final String RUN = "it" + Stages.randomId();
  static final Duration TIMEOUT = TestSensor.TIMEOUT;
  static TestSensor.Run run;
  static Path data;
  static Path runtimeRoot;

  @BeforeAll
  static void prepare() throws Exception {
    run = TestSensor.Run.create(RUN, List.of("a", "b", "mute", "ok", "cfg", "evil", "calm", "keeper", "hoarder",
        "up", "junk", "steady", "held", "slow", "disk"));
    data = run.data();
    runtimeRoot = run.runtimeRoot();
  }

  @AfterAll
  static void cleanUp() throws Exception {
    run.close();
  }

  /** The sample jar's MuteInstrument: it says hello and never answers a health query. */
  static io.sensorfleet.core.manifest.InstrumentManifest mute(InstrumentId id, String health) {
    return ManifestParser.parseOrThrow("""
        id: %s
        image: sensorfleet/jvm
        command: [java, -XX:TieredStopAtLevel=1, -cp, /opt/instrument/sample-instrument.jar,
                  io.sensorfleet.instruments.sample.MuteInstrument]
        health: {%s}
        limits: {cpus: 1, memory: 256MiB, processes: 128}
        """.formatted(id.value(), health));
  }

  static io.sensorfleet.core.manifest.InstrumentManifest manifest(String id) {
    return ManifestParser.parseOrThrow("""
        id: %s
        image: sensorfleet/jvm
        command: [java, -XX:TieredStopAtLevel=1, -jar, /opt/instrument/sample-instrument.jar]
        limits: {cpus: 1, memory: 256MiB, processes: 128}
        """.formatted(id));
  }

  @Test
  void an_installed_instrument_starts_says_hello_and_stops() throws Exception {
    InstrumentId id = InstrumentId.of(RUN + "-a");
    try (TestSensor sensor = TestSensor.start(run)) {
      var installed = sensor.ask(r -> new InstrumentRegistry.Install(manifest(id.value()), Principal.user("it"), r));
      assertEquals(Actual.INSTALLED, installed.actual());

      var started = sensor.ask(r -> new InstrumentRegistry.Start(id, Principal.user("it"), r));
      assertEquals(Actual.RUNNING, started.actual());
      assertTrue(started.connected(), "the sample Instrument should be connected after hello");

      var stopped = sensor.ask(r -> new InstrumentRegistry.Stop(id, Principal.user("it"), r));
      assertEquals(Actual.STOPPED, stopped.actual());
      assertFalse(stopped.connected());
    }
  }

  @Test
  void a_restarted_sensor_adopts_the_running_instrument_then_removes_it() throws Exception {
    InstrumentId id = InstrumentId.of(RUN + "-b");
    try (TestSensor first = TestSensor.start(run)) {
      first.ask(r -> new InstrumentRegistry.Install(manifest(id.value()), Principal.user("it"), r));
      first.ask(r -> new InstrumentRegistry.Start(id, Principal.user("it"), r));
    }
    // The first sensor is gone, its container still runs; a new sensor on the same journal adopts it.
    try (TestSensor second = TestSensor.start(run)) {
      var status = org.awaitility.Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250))
          .until(() -> second.list().stream().filter(s -> s.id().equals(id)).findFirst(),
              s -> s.isPresent() && s.get().connected() && s.get().actual() == Actual.RUNNING)
          .orElseThrow();
      assertEquals(id, status.id());

      second.ask(r -> new InstrumentRegistry.Remove(id, true, Principal.user("it"), r));
      LxdRuntime lxd = LxdRuntime.create(second.kit().system());
      assertTrue(lxd.list(ContainerSelector.prefix(id.containerName())).toCompletableFuture().get(30, SECONDS)
          .stream().noneMatch(c -> c.name().equals(id.containerName()) && c.status() == ContainerStatus.RUNNING));
    }
  }

  @Test
  void an_instrument_that_never_answers_health_is_restarted_with_backoff_and_audited() throws Exception {
    InstrumentId mute = InstrumentId.of(RUN + "-mute");
    InstrumentId ok = InstrumentId.of(RUN + "-ok");
    try (TestSensor sensor = TestSensor.start(run)) {
      var muteManifest = mute(mute, "interval: 1s, timeout: 500ms, failures-before-restart: 2");
      sensor.ask(r -> new InstrumentRegistry.Install(muteManifest, Principal.user("it"), r));
      sensor.ask(r -> new InstrumentRegistry.Install(ManifestParser.parseOrThrow("""
          id: %s
          image: sensorfleet/jvm
          command: [java, -XX:TieredStopAtLevel=1, -jar, /opt/instrument/sample-instrument.jar]
          health: {interval: 1s, timeout: 900ms, failures-before-restart: 2}
          limits: {cpus: 1, memory: 256MiB, processes: 128}
          """.formatted(ok.value())), Principal.user("it"), r));
      sensor.ask(r -> new InstrumentRegistry.Start(ok, Principal.user("it"), r));
      var started = sensor.ask(r -> new InstrumentRegistry.Start(mute, Principal.user("it"), r));
      assertTrue(started.connected(), "the mute Instrument says hello, it just never answers health");

      // Two silent checks, a restart after 500 ms, hello again, two more silent checks, a restart after 1 s.
      sensor.audits().fishForMessage(TIMEOUT, "a second restart of " + mute, m ->
          m instanceof AuditLog.Record rec && rec.request().action().equals("instrument restarted")
              && rec.request().instrument().equals(java.util.Optional.of(mute))
              && rec.request().detail().contains("restart #2 in 1000 ms")
              ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());

      // Meanwhile the well-behaved neighbour answers its checks and is never restarted.
      var neighbour = sensor.list().stream().filter(s -> s.id().equals(ok)).findFirst().orElseThrow();
      // The sample reports degraded until it has a configuration: an answer, not a failure.
      assertTrue(java.util.Set.of(io.sensorfleet.actors.instrument.HealthTracker.State.HEALTHY,
          io.sensorfleet.actors.instrument.HealthTracker.State.DEGRADED).contains(neighbour.health().state()),
          "neighbour health " + neighbour.health().state());
      assertEquals(0, neighbour.health().restarts());
      assertTrue(neighbour.health().last().orElseThrow().latency().isPresent());

      sensor.ask(r -> new InstrumentRegistry.Remove(mute, true, Principal.user("it"), r));
      sensor.ask(r -> new InstrumentRegistry.Remove(ok, true, Principal.user("it"), r));
    }
  }

  @Test
  void failed_checks_within_the_start_period_are_shown_but_restart_only_after_it() throws Exception {
    InstrumentId slow = InstrumentId.of(RUN + "-slow");
    try (TestSensor sensor = TestSensor.start(run)) {
      var slowManifest = mute(slow, "interval: 1s, timeout: 500ms, failures-before-restart: 1, start-period: 6s");
      sensor.ask(r -> new InstrumentRegistry.Install(slowManifest, Principal.user("it"), r));
      sensor.ask(r -> new InstrumentRegistry.Start(slow, Principal.user("it"), r));

      // Three unanswered checks, each of which alone would restart it after the start period: still starting.
      var starting = org.awaitility.Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(
          () -> sensor.list().stream().filter(s -> s.id().equals(slow)).findFirst().orElseThrow().health(),
          h -> h.recent().stream().filter(c -> c.result() == HealthTracker.Result.TIMEOUT).count() >= 3);
      assertEquals(HealthTracker.State.STARTING, starting.state());
      assertEquals(0, starting.restarts());

      sensor.audits().fishForMessage(TIMEOUT, "a restart of " + slow + " once the start period is over", m ->
          m instanceof AuditLog.Record rec && rec.request().action().equals("instrument restarted")
              && rec.request().instrument().equals(java.util.Optional.of(slow))
              ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
      sensor.ask(r -> new InstrumentRegistry.Remove(slow, true, Principal.user("it"), r));
    }
  }

  @Test
  void a_stop_during_the_restart_backoff_cancels_the_restart_at_once() throws Exception {
    InstrumentId held = InstrumentId.of(RUN + "-held");
    try (TestSensor sensor = TestSensor.start(run, Map.of("sensor.instruments.restart-backoff-min", "10m",
        "sensor.instruments.restart-backoff-max", "10m"))) {
      var heldManifest = mute(held, "interval: 1s, timeout: 500ms, failures-before-restart: 1");
      sensor.ask(r -> new InstrumentRegistry.Install(heldManifest, Principal.user("it"), r));
      sensor.ask(r -> new InstrumentRegistry.Start(held, Principal.user("it"), r));
      sensor.audits().fishForMessage(TIMEOUT, "a restart of " + held + " scheduled in 10 minutes", m ->
          m instanceof AuditLog.Record rec && rec.request().action().equals("instrument restarted")
              && rec.request().instrument().equals(java.util.Optional.of(held))
              ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());

      // Answered well before the 10-minute backoff ends, and nothing starts afterwards.
      var stopped = org.apache.pekko.actor.typed.javadsl.AskPattern.<InstrumentRegistry.Command,
              Instrument.Status>askWithStatus(sensor.registry(), r -> new InstrumentRegistry.Stop(held,
              Principal.user("it"), r), Duration.ofSeconds(30), sensor.kit().system().scheduler())
          .toCompletableFuture().get(30, SECONDS);
      assertEquals(Actual.STOPPED, stopped.actual());
      assertEquals(io.sensorfleet.actors.instrument.InstrumentJournal.Desired.STOPPED, stopped.desired());
      assertEquals("stopped while waiting to restart", stopped.detail());

      var restarted = sensor.ask(r -> new InstrumentRegistry.Start(held, Principal.user("it"), r));
      assertEquals(Actual.RUNNING, restarted.actual(), "an operator's start after the stop works as usual");
      sensor.ask(r -> new InstrumentRegistry.Remove(held, true, Principal.user("it"), r));
    }
  }

  <T> T askAny(TestSensor sensor, java.util.function.Function<ActorRef<StatusReply<T>>, InstrumentRegistry.Command> command)
      throws Exception {
    return org.apache.pekko.actor.typed.javadsl.AskPattern.<InstrumentRegistry.Command, T>askWithStatus(
        sensor.registry(), command::apply, TIMEOUT, sensor.kit().system().scheduler())
        .toCompletableFuture().get(TIMEOUT.toSeconds(), SECONDS);
  }

  List<io.sensorfleet.actors.instrument.InstrumentJournal.ConfigVersion> awaitAnswered(TestSensor sensor, InstrumentId id,
      long version) {
    return org.awaitility.Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(
        () -> this.<List<io.sensorfleet.actors.instrument.InstrumentJournal.ConfigVersion>>askAny(sensor,
            r -> new InstrumentRegistry.GetConfigHistory(id, r)),
        history -> history.stream().anyMatch(v -> v.version() == version
            && v.state() != io.sensorfleet.actors.instrument.InstrumentJournal.ConfigState.PENDING));
  }

  @Test
  void configuration_versions_are_delivered_answered_kept_and_rolled_back() throws Exception {
    var accepted = io.sensorfleet.actors.instrument.InstrumentJournal.ConfigState.ACCEPTED;
    var rejected = io.sensorfleet.actors.instrument.InstrumentJournal.ConfigState.REJECTED;
    InstrumentId id = InstrumentId.of(RUN + "-cfg");
    try (TestSensor sensor = TestSensor.start(run)) {
      sensor.ask(r -> new InstrumentRegistry.Install(ManifestParser.parseOrThrow("""
          id: %s
          image: sensorfleet/jvm
          command: [java, -XX:TieredStopAtLevel=1, -jar, /opt/instrument/sample-instrument.jar]
          limits: {cpus: 1, memory: 256MiB, processes: 128}
          config: {heartbeat_seconds: 30}
          """.formatted(id.value())), Principal.user("it"), r));
      sensor.ask(r -> new InstrumentRegistry.Start(id, Principal.user("it"), r));
      // Version 1 comes from the manifest and is delivered once the Instrument connects.
      assertEquals(accepted, awaitAnswered(sensor, id, 1).getFirst().state());

      var v2 = this.<io.sensorfleet.actors.instrument.InstrumentJournal.ConfigVersion>askAny(sensor,
          r -> new InstrumentRegistry.SetConfig(id, "{\"heartbeat_seconds\": 5}", Principal.user("alice"), r));
      assertEquals(2, v2.version());
      assertEquals(accepted, awaitAnswered(sensor, id, 2).get(1).state());

      this.<io.sensorfleet.actors.instrument.InstrumentJournal.ConfigVersion>askAny(sensor,
          r -> new InstrumentRegistry.SetConfig(id, "{\"reject\": true}", Principal.user("bob"), r));
      var history = awaitAnswered(sensor, id, 3);
      assertEquals(rejected, history.get(2).state());
      assertTrue(history.get(2).reason().contains("rejected as asked"), history.get(2).reason());
      assertEquals(Principal.user("bob"), history.get(2).by());

      var rollback = this.<io.sensorfleet.actors.instrument.InstrumentJournal.ConfigVersion>askAny(sensor,
          r -> new InstrumentRegistry.RollbackConfig(id, 1, Principal.user("alice"), r));
      assertEquals(4, rollback.version());
      assertEquals("rollback to version 1", rollback.note());
      assertEquals(accepted, awaitAnswered(sensor, id, 4).get(3).state());

      // Not JSON, or not an object: refused before anything is recorded.
      var error = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
          () -> this.<io.sensorfleet.actors.instrument.InstrumentJournal.ConfigVersion>askAny(sensor,
              r -> new InstrumentRegistry.SetConfig(id, "[1,2]", Principal.user("bob"), r)));
      assertTrue(error.getCause().getMessage().contains("JSON object"), error.getCause().getMessage());

      sensor.ask(r -> new InstrumentRegistry.Remove(id, true, Principal.user("it"), r));
    }
  }

  @Test
  void an_instrument_asking_for_an_undeclared_bridge_is_refused_at_install_and_audited() throws Exception {
    InstrumentId id = InstrumentId.of(RUN + "-br");
    try (TestSensor sensor = TestSensor.start(run)) {
      var error = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
          () -> sensor.ask(r -> new InstrumentRegistry.Install(ManifestParser.parseOrThrow("""
              id: %s
              image: sensorfleet/base
              network: {mode: bridged, bridge: br-management}
              """.formatted(id.value())), Principal.user("mallory"), r)));
      assertTrue(error.getCause().getMessage().contains("br-management"), error.getCause().getMessage());
      sensor.audits().fishForMessage(TIMEOUT, "the refusal in the audit log", m ->
          m instanceof AuditLog.Record rec && rec.request().action().equals("instrument install refused")
              && rec.request().principal().equals(Principal.user("mallory"))
              ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
      assertTrue(sensor.list().stream().noneMatch(s -> s.id().equals(id)), "nothing was installed");
    }
  }

  private static String shAs(LxdRuntime lxd, InstrumentId id, int uid, String script) throws Exception {
    var request = new io.sensorfleet.core.runtime.ExecRequest(List.of("sh", "-c", script), Map.of(), "/", uid, uid);
    var result = lxd.exec(id.containerName(), request).toCompletableFuture().get(60, SECONDS);
    return result.stdout() + result.stderr();
  }

  @Test
  void its_status_reports_storage_use_and_follows_what_it_writes() throws Exception {
    InstrumentId disk = InstrumentId.of(RUN + "-disk");
    try (TestSensor sensor = TestSensor.start(run, Map.of("sensor.instruments.storage-interval", "1s"))) {
      sensor.ask(r -> new InstrumentRegistry.Install(ManifestParser.parseOrThrow("""
          id: %s
          image: sensorfleet/jvm
          command: [java, -XX:TieredStopAtLevel=1, -jar, /opt/instrument/sample-instrument.jar]
          limits: {cpus: 1, memory: 256MiB, processes: 64}
          storage: {persistent: 32MiB, transient: 8MiB}
          config: {heartbeat_seconds: 30}
          """.formatted(disk.value())), Principal.user("it"), r));
      sensor.ask(r -> new InstrumentRegistry.Start(disk, Principal.user("it"), r));
      var first = awaitStorage(sensor, disk, u -> true);
      assertEquals(32L << 20, first.persistentQuotaBytes());
      assertEquals(8L << 20, first.transientQuotaBytes());

      shAs(LxdRuntime.create(sensor.kit().system()), disk, 1000,
          "dd if=/dev/urandom of=/var/lib/instrument/six bs=1M count=6 conv=fsync 2>/dev/null;"
              + " dd if=/dev/zero of=/run/instrument/two bs=1M count=2 2>/dev/null");

      awaitStorage(sensor, disk, u -> u.persistentUsedBytes() >= first.persistentUsedBytes() + (6L << 20)
          && u.transientUsedBytes() >= first.transientUsedBytes() + (2L << 20));
      sensor.ask(r -> new InstrumentRegistry.Remove(disk, true, Principal.user("it"), r));
    }
  }

  private static io.sensorfleet.core.storage.StorageUsage awaitStorage(TestSensor sensor, InstrumentId id,
      java.util.function.Predicate<io.sensorfleet.core.storage.StorageUsage> wanted) {
    return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> sensor.list().stream().filter(st -> st.id().equals(id)).findFirst()
            .flatMap(Instrument.Status::storage), u -> u.isPresent() && wanted.test(u.get())).orElseThrow();
  }

  @Test
  void a_hostile_instrument_finds_nothing_of_its_neighbour_or_the_sensor_and_its_excesses_stay_its_own()
      throws Exception {
    InstrumentId evil = InstrumentId.of(RUN + "-evil");
    InstrumentId calm = InstrumentId.of(RUN + "-calm");
    try (TestSensor sensor = TestSensor.start(run)) {
      for (InstrumentId id : List.of(evil, calm)) {
        sensor.ask(r -> new InstrumentRegistry.Install(ManifestParser.parseOrThrow("""
            id: %s
            image: sensorfleet/jvm
            command: [java, -XX:TieredStopAtLevel=1, -jar, /opt/instrument/sample-instrument.jar]
            health: {interval: 1s, timeout: 900ms, failures-before-restart: 3}
            limits: {cpus: 1, memory: 256MiB, processes: 64}
            storage: {persistent: 32MiB, transient: 8MiB}
            config: {heartbeat_seconds: 30}
            """.formatted(id.value())), Principal.user("it"), r));
        sensor.ask(r -> new InstrumentRegistry.Start(id, Principal.user("it"), r));
      }
      LxdRuntime lxd = LxdRuntime.create(sensor.kit().system());

      // Its bus directory holds its own socket only; nothing of the neighbour, the journal or the host is mounted.
      assertEquals("bus.sock", shAs(lxd, evil, 1000, "ls -A /run/sensorfleet").trim());
      String mounts = shAs(lxd, evil, 1000, "cat /proc/self/mounts");
      assertFalse(mounts.contains(calm.value()), mounts);
      assertFalse(mounts.contains(data.toString()), "the sensor's data dir is mounted: " + mounts);
      assertEquals("absent", shAs(lxd, evil, 0, "test -e " + data + " -o -e /var/lib/lxd -o -e /run/sensorfleet/"
          + calm + " && echo present || echo absent").trim());
      // The neighbour's socket directory on the host is closed to the evil Instrument's uid range anyway.
      assertEquals(0700, java.nio.file.Files.getPosixFilePermissions(runtimeRoot.resolve(calm.value())).stream()
          .mapToInt(p -> switch (p) {
            case OWNER_READ -> 0400; case OWNER_WRITE -> 0200; case OWNER_EXECUTE -> 0100;
            case GROUP_READ -> 040; case GROUP_WRITE -> 020; case GROUP_EXECUTE -> 010;
            case OTHERS_READ -> 04; case OTHERS_WRITE -> 02; case OTHERS_EXECUTE -> 01;
          }).sum());

      // Its own persistent storage works, and filling it stops at its quota, not at the host's disk.
      assertEquals("mine", shAs(lxd, evil, 1000, "echo mine > /var/lib/instrument/m && cat /var/lib/instrument/m")
          .trim());
      String fill = shAs(lxd, evil, 1000, "dd if=/dev/zero of=/var/lib/instrument/big bs=1M count=64 2>&1; "
          + "echo exit=$?");
      assertFalse(fill.contains("exit=0"), "writing 64 MiB into a 32 MiB volume must fail: " + fill);
      shAs(lxd, evil, 1000, "rm -f /var/lib/instrument/big");

      // A fork bomb and a memory hog as the instrument user: the process limit and the OOM killer stop them there.
      String forks = shAs(lxd, evil, 1000,
          "n=0; while [ $n -lt 200 ]; do sleep 60 & n=$((n+1)); done 2>&1 | head -1; echo forked");
      assertTrue(forks.contains("fork") || forks.contains("Resource temporarily unavailable")
          || forks.contains("can't"), "the process limit should refuse forks: " + forks);
      shAs(lxd, evil, 1000, "pkill sleep; true");
      String hog = shAs(lxd, evil, 1000,
          "java -Xmx1g -XX:+UseSerialGC -XX:-UseContainerSupport -cp /opt/instrument/sample-instrument.jar "
              + "io.sensorfleet.instruments.sample.MemoryHog 2>&1; echo exit=$?");
      assertFalse(hog.contains("exit=0"), "allocating past the memory limit must fail inside: " + hog);

      // The neighbour answered every check meanwhile and was never restarted.
      var neighbour = sensor.list().stream().filter(st -> st.id().equals(calm)).findFirst().orElseThrow();
      assertEquals(0, neighbour.health().restarts());
      assertTrue(neighbour.connected());
      for (InstrumentId id : List.of(evil, calm)) {
        sensor.ask(r -> new InstrumentRegistry.Remove(id, true, Principal.user("it"), r));
      }
    }
  }

  @Test
  void retention_is_checked_on_the_volume_itself_so_an_instrument_that_keeps_old_files_is_a_violation()
      throws Exception {
    InstrumentId keeper = InstrumentId.of(RUN + "-keeper");
    InstrumentId hoarder = InstrumentId.of(RUN + "-hoarder");
    try (TestSensor sensor = TestSensor.start(run)) {
      String[] programs = {"-jar, /opt/instrument/sample-instrument.jar",
          "-cp, /opt/instrument/sample-instrument.jar, io.sensorfleet.instruments.sample.MuteInstrument"};
      List<InstrumentId> ids = List.of(keeper, hoarder);
      for (int i = 0; i < 2; i++) {
        InstrumentId id = ids.get(i);
        String program = programs[i];
        sensor.ask(r -> new InstrumentRegistry.Install(ManifestParser.parseOrThrow("""
            id: %s
            image: sensorfleet/jvm
            command: [java, -XX:TieredStopAtLevel=1, %s]
            retention: 1m
            health: {interval: 1h, timeout: 3s, failures-before-restart: 3}
            storage: {persistent: 32MiB, transient: 8MiB}
            config: {heartbeat_seconds: 3600}
            """.formatted(id.value(), program)), Principal.user("it"), r));
        sensor.ask(r -> new InstrumentRegistry.Start(id, Principal.user("it"), r));
      }
      LxdRuntime lxd = LxdRuntime.create(sensor.kit().system());
      for (InstrumentId id : ids) {
        shAs(lxd, id, 1000, "echo old > /var/lib/instrument/old.log && touch -t 202001010000 /var/lib/instrument/old.log");
      }
      // The sample enforces retention with the SDK's sweeper: nothing stale remains.
      var kept = await(sensor, keeper, r -> r.reportedDeletedFiles() >= 1);
      assertEquals(0, kept.violations());
      // The mute one never reports and keeps the file: the platform finds it itself.
      var hoarded = await(sensor, hoarder, r -> r.violations() >= 1);
      assertEquals(-1, hoarded.reportedDeletedFiles());
      assertTrue(hoarded.examples().contains("/var/lib/instrument/old.log"), hoarded.examples().toString());
      sensor.audits().fishForMessage(TIMEOUT, "the violation in the audit log", m ->
          m instanceof AuditLog.Record rec && rec.request().action().equals("retention violated")
              && rec.request().instrument().equals(java.util.Optional.of(hoarder))
              ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
      for (InstrumentId id : ids) {
        sensor.ask(r -> new InstrumentRegistry.Remove(id, true, Principal.user("it"), r));
      }
    }
  }

  private static Instrument.RetentionCheck await(TestSensor sensor, InstrumentId id,
      java.util.function.Predicate<Instrument.RetentionCheck> until) {
    return org.awaitility.Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250))
        .until(() -> sensor.list().stream().filter(s -> s.id().equals(id)).findFirst()
            .flatMap(Instrument.Status::retention), r -> r.isPresent() && until.test(r.get())).orElseThrow();
  }

  private static String lxc(String... args) throws Exception {
    var command = new java.util.ArrayList<>(List.of("lxc"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, SECONDS) && p.exitValue() == 0, String.join(" ", command) + ": " + out);
    return out.trim();
  }

  @Test
  void changing_the_image_recreates_the_container_and_keeps_data_config_and_state() throws Exception {
    InstrumentId id = InstrumentId.of(RUN + "-up");
    String alias = "sft-" + RUN + "/jvm-next";  // a second alias of the JVM image stands in for a new release
    lxc("image", "alias", "create", alias, lxc("image", "list", "sensorfleet/jvm", "-c", "F", "--format", "csv"));
    try (TestSensor sensor = TestSensor.start(run)) {
      sensor.ask(r -> new InstrumentRegistry.Install(ManifestParser.parseOrThrow("""
          id: %s
          image: sensorfleet/jvm
          command: [java, -XX:TieredStopAtLevel=1, -jar, /opt/instrument/sample-instrument.jar]
          storage: {persistent: 32MiB, transient: 8MiB}
          config: {heartbeat_seconds: 3600}
          """.formatted(id.value())), Principal.user("it"), r));
      sensor.ask(r -> new InstrumentRegistry.Start(id, Principal.user("it"), r));
      LxdRuntime lxd = LxdRuntime.create(sensor.kit().system());
      shAs(lxd, id, 1000, "echo kept > /var/lib/instrument/marker");

      var changed = sensor.ask(r -> new InstrumentRegistry.ChangeImage(id,
          io.sensorfleet.core.manifest.ImageAlias.of(alias), Principal.user("alice"), r));
      assertEquals(alias, changed.manifest().orElseThrow().image().value());
      assertEquals(Actual.RUNNING, changed.actual());
      assertTrue(changed.connected(), "running again after the change");
      assertEquals("kept", shAs(lxd, id, 1000, "cat /var/lib/instrument/marker").trim());
      sensor.ask(r -> new InstrumentRegistry.Remove(id, true, Principal.user("it"), r));
    } finally {
      lxc("image", "alias", "delete", alias);
    }
  }

  @Test
  void an_instrument_flooding_garbage_is_cut_off_while_its_neighbour_and_the_sensor_carry_on() throws Exception {
    InstrumentId junk = InstrumentId.of(RUN + "-junk");
    InstrumentId steady = InstrumentId.of(RUN + "-steady");
    try (TestSensor sensor = TestSensor.start(run)) {
      String[] programs = {"-cp, /opt/instrument/sample-instrument.jar, "
          + "io.sensorfleet.instruments.sample.GarbageInstrument", "-jar, /opt/instrument/sample-instrument.jar"};
      List<InstrumentId> ids = List.of(junk, steady);
      for (int i = 0; i < 2; i++) {
        InstrumentId id = ids.get(i);
        String program = programs[i];
        sensor.ask(r -> new InstrumentRegistry.Install(ManifestParser.parseOrThrow("""
            id: %s
            image: sensorfleet/jvm
            command: [java, -XX:TieredStopAtLevel=1, %s]
            health: {interval: 1s, timeout: 900ms, failures-before-restart: 100}
            limits: {cpus: 1, memory: 256MiB, processes: 128}
            config: {heartbeat_seconds: 3600}
            """.formatted(id.value(), program)), Principal.user("it"), r));
        sensor.ask(r -> new InstrumentRegistry.Start(id, Principal.user("it"), r));
      }
      // The platform answers the garbage with error frames, then closes the connection (rate-limited): every
      // reconnect says hello and is cut off again, so its health checks keep failing.
      org.awaitility.Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).until(
          () -> sensor.list().stream().filter(s -> s.id().equals(junk)).findFirst().orElseThrow().health()
              .consecutiveFailures() >= 3);
      // Meanwhile the neighbour answered every check on time, and the sensor answered us throughout.
      var neighbour = sensor.list().stream().filter(s -> s.id().equals(steady)).findFirst().orElseThrow();
      assertTrue(neighbour.connected());
      assertEquals(0, neighbour.health().consecutiveFailures(), neighbour.health().toString());
      assertTrue(neighbour.health().recent().stream().allMatch(c -> c.latency().isPresent()),
          neighbour.health().recent().toString());
      for (InstrumentId id : ids) {
        sensor.ask(r -> new InstrumentRegistry.Remove(id, true, Principal.user("it"), r));
      }
    }
  }

  @Test
  void a_busybox_instrument_on_the_tcp_control_channel_says_hello_and_answers_health_with_no_network()
      throws Exception {
    InstrumentId id = InstrumentId.of(RUN + "-tcp");
    Path example = Path.of(System.getProperty("sensorfleet.root", "..")).resolve("conf/instruments/beacon.yaml");
    String yaml = Files.readString(example).replaceFirst("(?m)^id: beacon$", "id: " + id.value())
        .replaceFirst("interval: 10s, timeout: 5s", "interval: 2s, timeout: 1s");
    try (TestSensor sensor = TestSensor.start(run)) {
      sensor.ask(r -> new InstrumentRegistry.Install(ManifestParser.parseOrThrow(yaml), Principal.user("it"), r));
      var started = sensor.ask(r -> new InstrumentRegistry.Start(id, Principal.user("it"), r));
      assertTrue(started.connected(), "the beacon should be connected through the proxy after its hello");

      var healthy = org.awaitility.Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250))
          .until(() -> sensor.list().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow(),
              s -> s.health().state() == io.sensorfleet.actors.instrument.HealthTracker.State.HEALTHY);
      assertEquals(Actual.RUNNING, healthy.actual());
      sensor.ask(r -> new InstrumentRegistry.Remove(id, true, Principal.user("it"), r));
    }
  }
}
