package io.sensorfleet.it.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.bus.PolicyStore;
import io.sensorfleet.actors.instrument.HealthTracker;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.InstrumentManifest;
import io.sensorfleet.core.manifest.ManifestParser;
import io.sensorfleet.core.permission.Grant;
import io.sensorfleet.events.UserEvent;
import io.sensorfleet.events.UserEventFilter;
import io.sensorfleet.events.UserEventStore;
import io.sensorfleet.it.support.Stages;
import io.sensorfleet.it.support.TestSensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reference Instruments from {@code conf/instruments/} in real containers, under this run's ids, with only the
 * grants their manifests request: rule-manager's rulesets reach dns-sensor by direct message, dns-sensor's replayed
 * DNS reaches passive-dns as {@code dns} events (its database grows) and its matches become {@code users} alerts
 * stored by the platform.
 */
class ReferenceInstrumentsIT {

  static final String RUN = "ref" + Stages.randomId();
  static final List<String> NAMES = List.of("dns-sensor", "passive-dns", "rule-manager");
  static final Duration TIMEOUT = TestSensor.TIMEOUT;
  static TestSensor.Run run;

  @BeforeAll
  static void prepare() throws Exception {
    run = TestSensor.Run.create(RUN, NAMES);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    run.close();
  }

  /** The shipped manifest with every reference Instrument's id prefixed by this run (ids, targets, grants). */
  static InstrumentManifest manifest(String name) throws Exception {
    Path root = Path.of(System.getProperty("sensorfleet.root", "..")).toAbsolutePath().normalize();
    String yaml = Files.readString(root.resolve("conf/instruments/" + name + ".yaml"));
    for (String other : NAMES) {
      yaml = yaml.replaceAll("(?<![\\w.-])" + Pattern.quote(other) + "(?![\\w-]|\\.jar)", RUN + "-" + other);
    }
    yaml = yaml.replace("/opt/instrument/" + RUN + "-", "/opt/instrument/")
        .replace("rate: 20 ", "rate: 200 ")
        .replace("resend-seconds: 60", "resend-seconds: 1")
        .replace("persistent: 1GiB", "persistent: 64MiB")
        .replaceAll("interval: 10s, timeout: 3s", "interval: 2s, timeout: 1500ms");
    return ManifestParser.parseOrThrow(yaml);
  }

  static HealthTracker.Check awaitHealthy(TestSensor sensor, InstrumentId id) {
    return Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250))
        .until(() -> sensor.status(id).health(),
            h -> h.state() == HealthTracker.State.HEALTHY && h.last().isPresent())
        .last().orElseThrow();
  }

  @Test
  void rules_reach_the_ids_its_dns_reaches_passive_dns_and_its_alerts_are_stored_for_people() throws Exception {
    try (TestSensor sensor = TestSensor.start(run)) {
      for (String name : NAMES) {
        InstrumentManifest manifest = manifest(name);
        // The operator approves exactly what the manifest requests.
        for (var request : manifest.permissions()) {
          Grant grant = request.grantTo(manifest.id());
          sensor.<PolicyStore.Command, PolicyStore.State>askWithStatus(sensor.policy(),
              r -> new PolicyStore.AddGrant(grant, Principal.user("it"), r));
        }
        sensor.ask(r -> new InstrumentRegistry.Install(manifest, Principal.user("it"), r));
      }
      for (String name : List.of("passive-dns", "dns-sensor", "rule-manager")) {
        Instrument.Status started = sensor.ask(r -> new InstrumentRegistry.Start(run.instrument(name),
            Principal.user("it"), r));
        assertTrue(started.connected(), name + " said hello");
      }

      // rule-manager → dns-sensor: acknowledged, so rule-manager turns healthy.
      awaitHealthy(sensor, run.instrument("rule-manager"));
      // dns-sensor → passive-dns: the database counts records.
      HealthTracker.Check pdns = Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250))
          .until(() -> awaitHealthy(sensor, run.instrument("passive-dns")), c -> records(c.detail()) > 0);
      assertTrue(records(pdns.detail()) > 0, pdns.detail());
      // dns-sensor's matches of the demo ruleset → users alerts, stored with the sender stamped by the platform.
      List<UserEvent> alerts = Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(
          () -> Stages.await(UserEventStore.create(sensor.kit().system())
              .query(UserEventFilter.all(50).withTopic("alerts.dns")), TIMEOUT), list -> !list.isEmpty());
      assertEquals(run.instrument("dns-sensor"), alerts.getFirst().from());
      assertTrue(alerts.stream().anyMatch(a -> a.payload().contains("evil.example")), alerts.toString());
    }
  }

  static long records(String detail) {
    Matcher m = Pattern.compile("(\\d+) records").matcher(detail);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }
}
