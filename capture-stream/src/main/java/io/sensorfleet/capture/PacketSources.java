package io.sensorfleet.capture;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;

/** Where the mirror graph's batches come from. */
public final class PacketSources {
  private PacketSources() {}

  /**
   * The batches of an open ring. Materializing starts the ring's reader: a platform thread of its own (poll(2)
   * blocks; never on a dispatcher) that offers each batch to a bounded queue without ever waiting: when the
   * queue is full the batch is dropped and counted ({@link Reader#queueDrops}). Whoever opened the ring closes
   * it, once the reader and every branch are done.
   */
  public static Source<PacketBatch, Reader> fromRing(PacketRing ring, CaptureSettings s) {
    return Source.<PacketBatch>queue(s.sourceQueue())
        .mapMaterializedValue(q -> Reader.start(ring, q, (int) s.pollTimeout().toMillis()))
        .named("packet-ring-" + ring.iface());
  }

  /** The running reader of one ring: its counters, and {@link #stop}. */
  public static final class Reader {
    private final PacketRing ring;
    private final BoundedSourceQueue<PacketBatch> queue;
    private final int pollMillis;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong queueDrops = new AtomicLong();
    private final CompletableFuture<Done> done = new CompletableFuture<>();
    private volatile boolean running = true;

    private Reader(PacketRing ring, BoundedSourceQueue<PacketBatch> queue, int pollMillis) {
      this.ring = ring;
      this.queue = queue;
      this.pollMillis = pollMillis;
    }

    static Reader start(PacketRing ring, BoundedSourceQueue<PacketBatch> queue, int pollMillis) {
      Reader r = new Reader(ring, queue, pollMillis);
      Thread.ofPlatform().name("capture-reader-" + ring.iface()).daemon().start(r::run);
      return r;
    }

    private void run() {
      try {
        while (running) {
          PacketBatch b = ring.next(pollMillis);
          if (b == null || b.count() == 0) {
            continue;
          }
          frames.addAndGet(b.count());
          if (queue.offer(b) != QueueOfferResult.enqueued()) {
            queueDrops.addAndGet(b.count());
          }
        }
        queue.complete(); // the ring stays mapped: branches may still send from it; the engine closes it
        done.complete(Done.getInstance());
      } catch (Throwable t) {
        queue.fail(t);
        done.completeExceptionally(t);
      }
    }

    /** Frames read from the ring. */
    public long frames() {
      return frames.get();
    }

    /** Frames of batches the graph could not take (its queue was full). */
    public long queueDrops() {
      return queueDrops.get();
    }

    /** The kernel's counters of the ring (its drops: the ring was full). */
    public PacketRing.RingStats ringStats() {
      return ring.stats();
    }

    /** Stops reading within the poll timeout; the source then completes and the ring is closed. */
    public CompletionStage<Done> stop() {
      running = false;
      return done;
    }

    public CompletionStage<Done> done() {
      return done;
    }
  }
}
