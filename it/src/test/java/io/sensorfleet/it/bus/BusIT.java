package io.sensorfleet.it.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.bus.PermissionGate;
import io.sensorfleet.actors.bus.PolicyStore;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.ManifestParser;
import io.sensorfleet.core.permission.Action;
import io.sensorfleet.core.permission.Grant;
import io.sensorfleet.core.permission.PermissionPolicy;
import io.sensorfleet.events.UserEvent;
import io.sensorfleet.events.UserEventFilter;
import io.sensorfleet.events.UserEventStore;
import io.sensorfleet.it.support.Stages;
import io.sensorfleet.it.support.TestSensor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bus between real Instruments in real LXD containers: the sample jar's {@code Chatter} sends, publishes and
 * subscribes as its arguments say, and reports in its health detail what reached it and what the platform refused,
 * so these tests read from outside what the bus let through inside.
 */
class BusIT {

  static final String RUN = "bus" + Stages.randomId();
  static final Duration TIMEOUT = TestSensor.TIMEOUT;
  static TestSensor.Run run;

  @BeforeAll
  static void prepare() throws Exception {
    run = TestSensor.Run.create(RUN, List.of("talker", "listener", "intruder", "speaker", "hearer"));
  }

  @AfterAll
  static void cleanUp() throws Exception {
    run.close();
  }

  static void installAndStart(TestSensor sensor, InstrumentId id, String... args) throws Exception {
    sensor.ask(r -> new InstrumentRegistry.Install(ManifestParser.parseOrThrow("""
        id: %s
        image: sensorfleet/jvm
        command: [java, -XX:TieredStopAtLevel=1, -XX:+UseSerialGC, -cp, /opt/instrument/sample-instrument.jar,
                  io.sensorfleet.instruments.sample.Chatter, %s]
        health: {interval: 1s, timeout: 900ms, failures-before-restart: 5}
        limits: {cpus: 1, memory: 192MiB, processes: 64}
        """.formatted(id.value(), String.join(", ", args))), Principal.user("it"), r));
    sensor.ask(r -> new InstrumentRegistry.Start(id, Principal.user("it"), r));
  }

  static void policy(TestSensor sensor, Grant... grants) throws Exception {
    sensor.<PolicyStore.Command, PolicyStore.State>askWithStatus(sensor.policy(),
        r -> new PolicyStore.Replace(PermissionPolicy.of(grants), PolicyStore.Replace.ANY_VERSION,
            Principal.user("it"), r));
  }

  /** The Chatter's counter {@code key} in section {@code section} of its last health detail; 0 when absent. */
  static long counter(TestSensor sensor, InstrumentId id, String section, String key) throws Exception {
    String detail = sensor.status(id).health().last().map(c -> c.detail()).orElse("");
    Matcher m = Pattern.compile(section + " ([^;]*)").matcher(detail);
    if (!m.find()) {
      return 0;
    }
    for (String pair : m.group(1).split(",")) {
      String[] kv = pair.split("=");
      if (kv.length == 2 && kv[0].equals(key)) {
        return Long.parseLong(kv[1]);
      }
    }
    return 0;
  }

  static long awaitCounter(TestSensor sensor, InstrumentId id, String section, String key, long atLeast) {
    return Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250))
        .until(() -> counter(sensor, id, section, key), n -> n >= atLeast);
  }

  /** Waits for a health check of {@code id} answered after {@code instant}, so its detail is that recent. */
  static void awaitCheckAfter(TestSensor sensor, InstrumentId id, Instant instant) {
    Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).until(
        () -> sensor.status(id).health().last().map(c -> c.at().isAfter(instant)).orElse(false));
  }

  @Test
  void instruments_exchange_exactly_what_the_policy_allows_and_refusals_are_answered_and_audited() throws Exception {
    InstrumentId talker = run.instrument("talker");
    InstrumentId listener = run.instrument("listener");
    InstrumentId intruder = run.instrument("intruder");
    try (TestSensor sensor = TestSensor.start(run)) {
      policy(sensor,
          Grant.send(talker, listener),
          new Grant(talker, Action.PUBLISH, "chat"),
          new Grant(talker, Action.PUBLISH, "alerts.chat"),
          new Grant(listener, Action.SUBSCRIBE, "chat"));
      installAndStart(sensor, listener, "subscribe=chat");
      installAndStart(sensor, talker, "send=" + listener.value(), "publish=chat", "alert=alerts.chat");
      installAndStart(sensor, intruder, "send=" + listener.value(), "send=" + talker.value(), "subscribe=chat",
          "publish=chat");

      awaitCounter(sensor, listener, "received", talker.value(), 3);
      awaitCounter(sensor, listener, "events", "chat", 3);
      awaitCounter(sensor, intruder, "errors", "not-permitted", 3);
      // The intruder's refused subscription and sends reached nobody: nothing from it at the listener or the talker.
      assertEquals(0, counter(sensor, listener, "received", intruder.value()));
      assertEquals(0, counter(sensor, talker, "received", intruder.value()));
      assertEquals(0, counter(sensor, intruder, "events", "chat"));
      assertEquals(0, counter(sensor, talker, "errors", "not-permitted"));

      sensor.audits().fishForMessage(TIMEOUT, "a denial of " + intruder, m ->
          m instanceof AuditLog.Record rec && rec.request().action().equals(PermissionGate.AUDIT_DENIED)
              && rec.request().instrument().equals(Optional.of(intruder))
              ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());

      // The talker's users-audience alerts are stored for people, with the sender stamped by the platform.
      List<UserEvent> alerts = Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).until(
          () -> Stages.await(UserEventStore.create(sensor.kit().system())
              .query(UserEventFilter.all(10).withTopic("alerts.chat")), TIMEOUT), list -> !list.isEmpty());
      assertEquals(talker, alerts.getFirst().from());
      assertTrue(alerts.getFirst().payload().startsWith("{\"n\":"), alerts.getFirst().payload());
    }
  }

  @Test
  void a_policy_change_takes_effect_live_for_subscriptions_and_sends() throws Exception {
    InstrumentId speaker = run.instrument("speaker");
    InstrumentId hearer = run.instrument("hearer");
    try (TestSensor sensor = TestSensor.start(run)) {
      policy(sensor,
          Grant.send(speaker, hearer),
          new Grant(speaker, Action.PUBLISH, "news"),
          new Grant(hearer, Action.SUBSCRIBE, "news"));
      installAndStart(sensor, hearer, "subscribe=news");
      installAndStart(sensor, speaker, "send=" + hearer.value(), "publish=news");
      awaitCounter(sensor, hearer, "events", "news", 2);
      awaitCounter(sensor, hearer, "received", speaker.value(), 2);

      // Revoke both: the hearer is told its subscription ended, the speaker's next sends are refused.
      policy(sensor, new Grant(speaker, Action.PUBLISH, "news"));
      awaitCounter(sensor, hearer, "errors", "not-permitted", 1);
      long refusedAtRevocation = awaitCounter(sensor, speaker, "errors", "not-permitted", 1);
      // Counters as the hearer reports them after that refusal (its detail is as old as its last health check).
      awaitCheckAfter(sensor, hearer, Instant.now());
      long events = counter(sensor, hearer, "events", "news");
      long received = counter(sensor, hearer, "received", speaker.value());
      // Several more refused rounds later, nothing more has reached the hearer.
      awaitCounter(sensor, speaker, "errors", "not-permitted", refusedAtRevocation + 5);
      awaitCheckAfter(sensor, hearer, Instant.now());
      assertEquals(events, counter(sensor, hearer, "events", "news"));
      assertEquals(received, counter(sensor, hearer, "received", speaker.value()));
    }
  }
}
