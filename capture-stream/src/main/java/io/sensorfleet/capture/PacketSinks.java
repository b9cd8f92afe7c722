package io.sensorfleet.capture;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.stream.javadsl.Sink;

/** Where the mirror graph's batches go. */
public final class PacketSinks {
  private PacketSinks() {}

  /**
   * Sends each batch to the port's socket (its filter applied), fused with the stages in front of it (no async
   * boundary: the branch's drop-oldest buffer is the only queue, {@link MirrorGraph#branch}). Closes the socket when the stream ends.
   */
  public static Sink<PacketBatch, CompletionStage<Done>> toPort(PortSocket socket) {
    return Sink.<PacketBatch>foreach(socket::send)
        .mapMaterializedValue(done -> done.whenComplete((d, e) -> socket.close()))
        .named("packet-port-" + socket.port());
  }
}
