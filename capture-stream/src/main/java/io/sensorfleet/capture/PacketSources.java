package io.sensorfleet.capture;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;

/** Where the mirror graph's batches come from. */
public final class PacketSources {
  private PacketSources() {}

  /**
   * The batches of an open ring. Materializing starts the ring's reader, which offers each batch to a bounded queue
   * without ever waiting: when the queue is full the batch is dropped and counted ({@link Reader#queueDrops}). The
   * reader reads on {@code executor} (the graph's own dispatcher: at full rate reading, the hub and the sends then
   * take turns on one thread, with no thread to wake and switch to per block, as in the native mirror) and hands
   * only its waits (poll(2), parks) to a platform thread of its own. Whoever opened the ring closes it, once the
   * reader and every branch are done.
   */
  public static Source<PacketBatch, Reader> fromRing(PacketRing ring, CaptureSettings s, Executor executor) {
    return Source.<PacketBatch>queue(s.sourceQueue())
        .mapMaterializedValue(q -> Reader.start(ring, q, (int) s.pollTimeout().toMillis(), executor))
        .named("packet-ring-" + ring.iface());
  }

  /** The running reader of one ring: its counters, and {@link #stop}. */
  public static final class Reader {
    /** Blocks read per turn on the executor before the branches get theirs. */
    private static final int BLOCKS_PER_TURN = 4;
    /**
     * Turns in a row that found nothing to read because the branches were behind before the wait goes to the waiting
     * thread: on the engine's one-thread dispatcher their sends are queued before the reader's next turn, so the
     * reader takes its turn again right after them instead of parking while the thread idles. (A stalled branch is
     * no longer waited for after lead-stall; branches on another dispatcher, as in tests, only cost these turns.)
     */
    private static final int IDLE_TURNS = 64;

    private final PacketRing ring;
    private final BoundedSourceQueue<PacketBatch> queue;
    private final int pollMillis;
    private final Executor executor;
    private final ExecutorService waiter;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong queueDrops = new AtomicLong();
    private final CompletableFuture<Done> done = new CompletableFuture<>();
    private volatile boolean running = true;
    private int idleTurns; // touched by one thread at a time: each turn is handed to the next through an executor
    private final Runnable turn = this::turn;

    private Reader(PacketRing ring, BoundedSourceQueue<PacketBatch> queue, int pollMillis, Executor executor) {
      this.ring = ring;
      this.queue = queue;
      this.pollMillis = pollMillis;
      this.executor = executor;
      this.waiter = Executors.newSingleThreadExecutor(
          r -> Thread.ofPlatform().name("capture-reader-" + ring.iface()).daemon().unstarted(r));
    }

    static Reader start(PacketRing ring, BoundedSourceQueue<PacketBatch> queue, int pollMillis, Executor executor) {
      Reader r = new Reader(ring, queue, pollMillis, executor);
      r.waiter.execute(r::waitAndGoOn); // the first wait (poll) is the waiting thread's
      return r;
    }

    /** One turn on the executor: read up to a few blocks without blocking, then go on here or wait there. */
    private void turn() {
      try {
        if (!running) {
          finish();
          return;
        }
        int read = 0;
        PacketBatch b;
        while (read < BLOCKS_PER_TURN && (b = ring.tryNext()) != null) {
          read++;
          if (b.count() > 0) {
            frames.addAndGet(b.count());
            if (queue.offer(b) != QueueOfferResult.enqueued()) {
              queueDrops.addAndGet(b.count());
            }
          }
        }
        if (read > 0) {
          idleTurns = 0;
          executor.execute(turn); // after what is queued meanwhile: the hub and the branches' sends
        } else if (ring.lastWait() != PacketRing.Wait.BLOCK && ++idleTurns < IDLE_TURNS) {
          executor.execute(turn); // the branches are behind, and their sends are queued before this turn
        } else {
          idleTurns = 0;
          waiter.execute(this::waitAndGoOn);
        }
      } catch (Throwable t) {
        fail(t);
      }
    }

    private void waitAndGoOn() {
      try {
        if (running) {
          ring.await(pollMillis);
        }
        executor.execute(turn);
      } catch (Throwable t) {
        fail(t);
      }
    }

    private void finish() {
      waiter.shutdown();
      queue.complete(); // the ring stays mapped: branches may still send from it; the engine closes it
      done.complete(Done.getInstance());
    }

    private void fail(Throwable t) {
      waiter.shutdown();
      queue.fail(t);
      done.completeExceptionally(t);
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
