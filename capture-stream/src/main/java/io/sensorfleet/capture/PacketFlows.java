package io.sensorfleet.capture;

import java.util.ArrayDeque;
import java.util.function.Consumer;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/** The per-branch flow pieces of the mirror graph. */
public final class PacketFlows {
  private PacketFlows() {}

  /**
   * A bounded buffer of {@code size} batches that always pulls from upstream (so the shared hub never waits for
   * this branch) and, when full, drops the oldest batch and tells the counters how many frames that lost.
   *
   * <p>Style says {@code buffer(n, OverflowStrategy.dropHead())}; it is this stage instead because the built-in
   * buffer drops silently, and a per-port drop counter is part of the contract (issue 7). Same semantics.
   */
  public static Flow<PacketBatch, PacketBatch, NotUsed> dropOldest(int size, PortCounters counters) {
    return Flow.fromGraph(new DropOldest<PacketBatch>(size, b -> {
      counters.dropped.addAndGet(b.count());
      counters.overflowed.addAndGet(b.count());
    }))
        .named("packet-drop-oldest-" + counters.port);
  }

  /** The generic stage behind {@link #dropOldest}: {@code onDrop} sees each element it evicts. */
  static <T> Flow<T, T, NotUsed> dropOldest(int size, Consumer<T> onDrop) {
    return Flow.fromGraph(new DropOldest<T>(size, onDrop));
  }

  private static final class DropOldest<T> extends GraphStage<FlowShape<T, T>> {
    private final Inlet<T> in = Inlet.create("DropOldest.in");
    private final Outlet<T> out = Outlet.create("DropOldest.out");
    private final FlowShape<T, T> shape = FlowShape.of(in, out);
    private final int size;
    private final Consumer<T> onDrop;

    DropOldest(int size, Consumer<T> onDrop) {
      if (size < 1) {
        throw new IllegalArgumentException("buffer size must be at least 1: " + size);
      }
      this.size = size;
      this.onDrop = onDrop;
    }

    @Override
    public FlowShape<T, T> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
      return new GraphStageLogic(shape) {
        private final ArrayDeque<T> queue = new ArrayDeque<>(size);

        @Override
        public void preStart() {
          pull(in);
        }

        {
          setHandler(in, new AbstractInHandler() {
            @Override
            public void onPush() {
              T elem = grab(in);
              if (queue.isEmpty() && isAvailable(out)) {
                push(out, elem);
              } else {
                if (queue.size() == size) {
                  onDrop.accept(queue.removeFirst());
                }
                queue.addLast(elem);
              }
              pull(in);
            }

            @Override
            public void onUpstreamFinish() {
              if (queue.isEmpty()) {
                completeStage();
              }
            }
          });
          setHandler(out, new AbstractOutHandler() {
            @Override
            public void onPull() {
              if (!queue.isEmpty()) {
                push(out, queue.removeFirst());
              }
              if (queue.isEmpty() && isClosed(in)) {
                completeStage();
              }
            }
          });
        }
      };
    }
  }
}
