package io.sensorfleet.capture;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.BroadcastHub;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RunnableGraph;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/** Composes the mirror graph from the pieces in {@link PacketSources}, {@link PacketFlows}, {@link PacketSinks}. */
public final class MirrorGraph {
  private MirrorGraph() {}

  /**
   * The ring's batches into a BroadcastHub, read on {@code readerExecutor}; materializes the ring's reader and the
   * hub's consumer source.
   */
  public static RunnableGraph<Pair<PacketSources.Reader, Source<PacketBatch, NotUsed>>> hub(
      PacketRing ring, CaptureSettings s, Executor readerExecutor) {
    return PacketSources.fromRing(ring, s, readerExecutor)
        .toMat(BroadcastHub.of(PacketBatch.class, s.hubBuffer()), Keep.both())
        .named("mirror-hub-" + ring.iface());
  }

  /**
   * One port's branch, one fused island: hub → kill switch → drop-oldest buffer → the port's socket. No async
   * boundary inside: a send is one non-blocking sendmmsg pass over one block (a slow consumer makes it return
   * sooner, with EAGAIN, not later), and between sends the buffer takes whatever the hub has, so the hub never
   * waits for this branch. It runs on the materializer's dispatcher: the engine's process sets that to {@code
   * sensor.capture.dispatcher} ({@link CaptureMain}; attributes on a whole graph do not choose its actor's
   * dispatcher). Materializes the switch (detach) and the sink's completion (its socket closed).
   */
  public static RunnableGraph<Pair<UniqueKillSwitch, CompletionStage<Done>>> branch(
      Source<PacketBatch, NotUsed> hub, PortSocket socket, PortCounters counters, CaptureSettings s) {
    return hub
        .viaMat(KillSwitches.single(), Keep.right())
        .via(PacketFlows.dropOldest(s.branchBuffer(), counters))
        .toMat(PacketSinks.toPort(socket), Keep.both())
        .named("mirror-branch-" + socket.port());
  }

  /** The hub's permanent consumer, so frames flow (and are counted) while no port is attached. */
  static Sink<PacketBatch, CompletionStage<Done>> drain() {
    return Sink.<PacketBatch>ignore().named("mirror-drain");
  }
}
