package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sensorfleet.actors.SensorGuardian;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.core.manifest.ManifestParser;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@link GuardianFleet#live()} follows the registry's status Topic: what the registry publishes, a reader gets. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuardianFleetLiveTest {

  final ActorTestKit kit = ActorTestKit.create("GuardianFleetLiveTest");

  @AfterAll
  void shutdown() {
    kit.shutdownTestKit();
  }

  @Test
  @SuppressWarnings("unchecked")
  void a_status_the_registry_publishes_reaches_a_live_reader() throws Exception {
    // live() never asks the guardian, so the test kit's own system stands in for the sensor's.
    var system = (ActorSystem<SensorGuardian.Command>) (ActorSystem<?>) kit.system();
    var fleet = new GuardianFleet(system, Duration.ofSeconds(5), Duration.ofSeconds(5));
    // The registry's side: a Topic instance of the same name, as InstrumentRegistry spawns one.
    var registryTopic = kit.system().systemActorOf(Topic.create(InstrumentRegistry.StatusPublished.class,
        InstrumentRegistry.STATUS_TOPIC), "registry-status-topic", Props.empty());
    Instrument.Status status = new FakeFleet().with(ManifestParser.parseOrThrow(
        "id: published\nimage: sensorfleet/base\n"), Actual.RUNNING).list().toCompletableFuture().join().getFirst();

    var reader = fleet.live().runWith(Sink.queue(), Materializer.matFromSystem(kit.system()));
    CompletableFuture<Optional<Instrument.Status>> next = reader.pull().toCompletableFuture();
    // Topic instances find each other through the receptionist a moment after they start: publish until it arrives.
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
      registryTopic.tell(Topic.publish(new InstrumentRegistry.StatusPublished(status)));
      assertEquals(true, next.isDone());
      return null;
    });
    assertEquals(status, next.join().orElseThrow());
    reader.cancel();
  }
}
