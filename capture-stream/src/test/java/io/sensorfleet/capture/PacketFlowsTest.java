package io.sensorfleet.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.BroadcastHub;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The branch buffer on its own, behind a BroadcastHub as in the mirror graph. */
class PacketFlowsTest {
  static final ActorSystem system = ActorSystem.create("packet-flows-test");
  static final Materializer mat = Materializer.matFromSystem(system);

  @AfterAll
  static void shutdown() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void a_stalled_branch_drops_its_oldest_elements_and_never_slows_the_others() throws Exception {
    int total = 20_000;
    // The hub starts once both branches are attached, so each sees the whole stream.
    Source<Integer, NotUsed> hub = Source.range(1, total)
        .runWith(BroadcastHub.of(Integer.class, 2, 16), mat);
    AtomicLong fastDropped = new AtomicLong();
    AtomicLong stalledDropped = new AtomicLong();
    SinkQueueWithCancel<Integer> stalled = hub  // never pulled: a consumer that has stopped reading
        .via(PacketFlows.dropOldest(8, (Integer i) -> stalledDropped.incrementAndGet()))
        .async()
        .runWith(Sink.queue(), mat);
    List<Integer> fast = hub
        .via(PacketFlows.dropOldest(8, (Integer i) -> fastDropped.incrementAndGet()))
        .runWith(Sink.seq(), mat)
        .toCompletableFuture().get(20, TimeUnit.SECONDS);

    assertEquals(IntStream.rangeClosed(1, total).boxed().toList(), fast, "the fast branch got everything, in order");
    assertEquals(0, fastDropped.get());
    // The stalled branch holds at most its 8 plus what its sink and the async boundary requested.
    assertTrue(stalledDropped.get() >= total - 8 - 64, "stalled branch dropped " + stalledDropped.get());
    Integer first = stalled.pull().toCompletableFuture().get(5, TimeUnit.SECONDS).orElseThrow();
    assertTrue(first < 100, "what the stalled sink had requested early is still there: " + first);
    stalled.cancel();
  }

  @Test
  void a_branch_that_resumes_gets_the_newest_elements() throws Exception {
    AtomicLong dropped = new AtomicLong();
    SinkQueueWithCancel<Integer> q = Source.range(1, 1000)
        .via(PacketFlows.dropOldest(4, (Integer i) -> dropped.incrementAndGet()))
        .async()
        .runWith(Sink.queue(), mat);
    List<Integer> got = new java.util.ArrayList<>();
    while (true) {
      var next = q.pull().toCompletableFuture().get(5, TimeUnit.SECONDS);
      if (next.isEmpty()) {
        break;
      }
      got.add(next.get());
    }
    assertEquals(1000, got.size() + dropped.get(), "every element delivered or counted as dropped");
    assertEquals(1000, got.get(got.size() - 1), "the newest element is never the one dropped");
  }
}
