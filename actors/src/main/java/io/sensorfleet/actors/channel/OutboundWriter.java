package io.sensorfleet.actors.channel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.pekko.util.ByteString;

/**
 * The outbound half of one control-channel connection: one loop on a platform thread of the channel's io dispatcher
 * that writes whatever the channel actor queued, all of it in one {@link BusConnection#write}, and waits when nothing
 * is queued. Not an actor: a resource loop like {@link InboundReader}; the actor talks to it through
 * {@link #offer}, {@link #end} and {@link #stop}, and hears from it only through {@link Owner#finished}.
 *
 * <p>The queue is the channel's bounded outbound queue (drop the oldest frames over either bound, the newest always
 * stays): frames wait here while the writer is blocked on a slow Instrument's full socket, so a slow receiver never
 * slows the bus. The lock is held only to add or take frames, never while writing.
 *
 * <p>Why a loop and not a task per flush (it was one: the actor handed each batch to the io dispatcher as a task and
 * got a message back when it was written): at a moderate rate every message paid two thread wake-ups for it, the task
 * on an idle pool thread and the acknowledgement on the actor's, which on a small VM cost tens of microseconds each
 * and far more when the cores are busy (docs/benchmarks.md, issue 5). Here a frame costs no wake-up at all while the
 * writer is idle and the socket has room ({@link #offer} sends it itself), and none while the writer is still busy
 * with the previous frames; the writer wakes only for what a full socket did not take.
 */
final class OutboundWriter implements Runnable {

  /** Where the writer reports its end; called once, on the writer's thread, so it must only send a message. */
  interface Owner {
    /** Empty: {@link #end} was asked for and everything queued was written. Else why writing failed. */
    void finished(Optional<Throwable> failure);
  }

  /**
   * How often an idle writer looks whether its connection was closed without {@link #stop} (a safety net: it then
   * ends quietly, so no thread waits for a connection that is gone).
   */
  private static final long IDLE_POLL_MILLIS = 1000;

  private final BusConnection connection;
  private final int maxFrames;
  private final long maxBytes;
  private final Owner owner;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  /** Guarded by {@link #lock}: frames not yet taken by the writer, their bytes, and what it was asked to do. */
  private final ArrayDeque<ByteString> queue = new ArrayDeque<>();
  private long queuedBytes;
  /** Guarded by {@link #lock}: the writer waits for work, with nothing queued and nothing being written. */
  private boolean idle;
  /**
   * Guarded by {@link #lock}: what is left of a frame {@link #offer} wrote in part; the writer sends it before the
   * queue. Outside the queue so that the bounds never drop it: the Instrument has its beginning.
   */
  private ByteString unfinished;
  private boolean ending;
  private boolean stopped;
  private final AtomicLong written = new AtomicLong();

  /**
   * @param maxFrames frames queued at most; beyond it the oldest are dropped
   * @param maxBytes bytes queued at most; beyond it the oldest are dropped, but the newest frame always stays
   */
  OutboundWriter(BusConnection connection, int maxFrames, long maxBytes, Owner owner) {
    this.connection = connection;
    this.maxFrames = maxFrames;
    this.maxBytes = maxBytes;
    this.owner = owner;
  }

  /**
   * Queues {@code frames} after those queued before and wakes the writer; drops the oldest queued frames over either
   * bound. Returns how many were dropped. Frames offered after {@link #stop} are dropped (and counted) at once.
   *
   * <p>When the writer is idle, the calling thread first writes what the socket takes now without blocking
   * ({@link BusConnection#tryWrite}), and only the rest (none, unless the Instrument's buffer is full) is queued for
   * the writer: at a moderate rate a frame then goes out with no thread woken for it. Nothing else writes meanwhile
   * (the writer is idle, and the lock is held), so the order stays. A failed attempt queues everything, and the
   * writer's own write meets the failure and reports it.
   */
  int offer(List<ByteString> frames) {
    lock.lock();
    try {
      if (stopped) {
        return frames.size();
      }
      List<ByteString> rest = idle && queue.isEmpty() && unfinished == null ? writeNow(frames) : frames;
      if (rest.isEmpty()) {
        return 0;  // written, or all but an unfinished frame, for which the writer was woken
      }
      for (ByteString frame : rest) {
        queue.addLast(frame);
        queuedBytes += frame.size();
      }
      int dropped = 0;
      while (queue.size() > maxFrames || (queuedBytes > maxBytes && queue.size() > 1)) {
        queuedBytes -= queue.removeFirst().size();
        dropped++;
      }
      work.signal();
      return dropped;
    } finally {
      lock.unlock();
    }
  }

  /** Writes what the socket takes now; returns the frames not begun (a partly written one's rest is unfinished). */
  private List<ByteString> writeNow(List<ByteString> frames) {
    List<ByteBuffer> buffers = new ArrayList<>(frames.size());
    for (ByteString frame : frames) {
      buffers.add(frame.asByteBuffer());
    }
    try {
      connection.tryWrite(buffers);
    } catch (IOException e) {
      return frames;
    }
    int done = 0;
    while (done < buffers.size() && !buffers.get(done).hasRemaining()) {
      done++;
    }
    written.addAndGet(done);
    if (done == frames.size()) {
      return List.of();
    }
    ByteBuffer partly = buffers.get(done);
    if (partly.position() == 0) {
      return frames.subList(done, frames.size());
    }
    unfinished = ByteString.fromByteBuffer(partly);
    work.signal();
    return frames.subList(done + 1, frames.size());
  }

  /** Finish once everything queued is written: {@link Owner#finished} with no failure. */
  void end() {
    lock.lock();
    try {
      ending = true;
      work.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Quit without writing what is queued and without telling the owner; returns how many frames were left unwritten.
   * The caller closes the connection, which ends a write in progress.
   */
  int stop() {
    lock.lock();
    try {
      stopped = true;
      int left = queue.size() + (unfinished == null ? 0 : 1);
      unfinished = null;
      queue.clear();
      queuedBytes = 0;
      work.signal();
      return left;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the writer waits for work (so an {@link #offer} would write itself); any thread. */
  boolean isIdle() {
    lock.lock();
    try {
      return idle;
    } finally {
      lock.unlock();
    }
  }

  /** Frames written to the socket so far; any thread. */
  long written() {
    return written.get();
  }

  @Override
  public void run() {
    List<ByteBuffer> batch = new ArrayList<>();
    try {
      while (true) {
        lock.lock();
        try {
          while (queue.isEmpty() && unfinished == null && !ending && !stopped) {
            idle = true;
            if (!work.await(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS) && !connection.isOpen()) {
              // Whoever closed it (the reader at the end of the stream, or the actor) tells the actor: nothing to add.
              return;
            }
          }
          idle = false;
          if (stopped) {
            return;
          }
          if (queue.isEmpty() && unfinished == null) {
            break;  // ending, and everything was written
          }
          if (unfinished != null) {
            batch.add(unfinished.asByteBuffer());
            unfinished = null;
          }
          for (ByteString frame : queue) {
            batch.add(frame.asByteBuffer());
          }
          queue.clear();
          queuedBytes = 0;
        } finally {
          lock.unlock();
        }
        connection.write(batch);
        written.addAndGet(batch.size());
        batch.clear();
      }
    } catch (IOException | RuntimeException e) {
      if (!isStopped()) {
        owner.finished(Optional.of(e));
      }
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (!isStopped()) {
        owner.finished(Optional.of(e));
      }
      return;
    }
    owner.finished(Optional.empty());
  }

  private boolean isStopped() {
    lock.lock();
    try {
      return stopped;
    } finally {
      lock.unlock();
    }
  }
}
