package io.sensorfleet.capture;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which ring blocks are still lent to the branches. Batches are views straight into the RX ring (zero-copy, as
 * the native mirror): the reader keeps the newest {@code hold} blocks out of the kernel's hands and returns the
 * oldest one as it reads a new one. No reference counts cross the BroadcastHub; a batch is valid until its block
 * goes back to the kernel.
 *
 * <p>Safety is a Dekker handshake on two volatile words. The reader first publishes up to which block it is
 * returning ({@link #claim}), then checks every sink's pin, and returns the block only if no sink is sending from
 * it (else it keeps it and tries again later; the kernel drops, and counts, if it runs out of blocks). A sink
 * first pins the block it is about to send from, then checks the claim; if the block is being or has been
 * returned it drops the batch instead (that branch was {@code hold} blocks behind: drop-oldest once more). So
 * the kernel never rewrites a block while a send reads it, and a stalled branch holds nothing.
 */
public final class RingLease {
  static final long IDLE = Long.MAX_VALUE;

  private final AtomicLong claimed = new AtomicLong();
  private final CopyOnWriteArrayList<Pin> pins = new CopyOnWriteArrayList<>();

  /**
   * A sink's pin: the sequence number of the block it is sending from, or {@link #IDLE}; and how far it has got
   * (the block after the last one it finished, {@link #IDLE} before its first) and when, for the reader's pacing.
   */
  public static final class Pin {
    private final AtomicLong at = new AtomicLong(IDLE);
    private volatile long done = IDLE;
    private volatile long doneAt;
  }

  /** Sink: it is done with block {@code seq} (sent or dropped). */
  static void finished(Pin p, long seq, long nanoTime) {
    p.done = seq + 1;
    p.doneAt = nanoTime;
  }

  /**
   * Reader: true if a sink that finished a batch within {@code stallNanos} before {@code nanoTime} has not yet
   * finished block {@code seq} (the reader should wait before it reads further).
   */
  boolean lagging(long seq, long nanoTime, long stallNanos) {
    for (Pin p : pins) {
      long done = p.done;
      if (done <= seq && nanoTime - p.doneAt < stallNanos) {
        return true;
      }
    }
    return false;
  }

  /** True if a sink has not finished block {@code seq} yet (one that has finished nothing yet does not count). */
  boolean unfinished(long seq) {
    for (Pin p : pins) {
      if (p.done <= seq) {
        return true;
      }
    }
    return false;
  }

  public Pin pin() {
    Pin p = new Pin();
    pins.add(p);
    return p;
  }

  public void unregister(Pin p) {
    pins.remove(p);
  }

  /**
   * Reader: announces that blocks with sequence numbers below {@code upTo} go back to the kernel; true if no
   * sink is sending from one of them (then return them), false if one is (keep them for now).
   */
  boolean claim(long upTo) {
    claimed.accumulateAndGet(upTo, Math::max);
    for (Pin p : pins) {
      if (p.at.get() < upTo) {
        return false;
      }
    }
    return true;
  }

  /** Sink: pins block {@code seq}; false if it is being or has been returned: drop the batch (unpinned). */
  boolean enter(Pin p, long seq) {
    p.at.set(seq);
    if (claimed.get() > seq) {
      p.at.set(IDLE);
      return false;
    }
    return true;
  }

  static void exit(Pin p) {
    p.at.set(IDLE);
  }
}
