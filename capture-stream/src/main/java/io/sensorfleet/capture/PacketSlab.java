package io.sensorfleet.capture;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where batches live after they leave the ring: one native buffer, written as a circular log by the reader
 * thread and read by every port's sink. Reusing it keeps the hot path free of allocation, zeroing and page
 * faults (a fresh native block per batch cost more than the copy itself), and needs no reference counts across
 * the BroadcastHub: a batch is valid until the writer laps it.
 *
 * <p>Safety is a Dekker handshake on two volatile words. The writer first publishes how far it has claimed,
 * then checks every sink's pin; it writes only if no sink is sending from the region it would overwrite (else it
 * drops that block, counted by the caller). A sink first pins the batch it is about to send, then checks the
 * claim; if the writer has claimed past the batch's region it drops the batch instead (the branch was more
 * than a whole slab behind: drop-oldest again). So a frame is never overwritten while the kernel reads it.
 */
public final class PacketSlab implements AutoCloseable {
  static final long IDLE = Long.MAX_VALUE;

  private final Arena arena = Arena.ofShared();
  private final MemorySegment memory;
  private final long size;
  private final AtomicLong claimed = new AtomicLong();
  private final CopyOnWriteArrayList<Pin> pins = new CopyOnWriteArrayList<>();
  private long position; // writer only: logical start of the next batch

  public PacketSlab(long size) {
    this.size = size;
    this.memory = arena.allocate(size, 64); // zeroed once, so every page is touched before the hot path
  }

  /** A sink's pin: the logical start of the batch it is sending, or {@link #IDLE}. */
  public static final class Pin {
    private final AtomicLong at = new AtomicLong(IDLE);
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
   * Writer (one thread): the logical start of room for {@code len} bytes, or -1 if a sink is still sending from
   * there. Call {@link #segment} for the memory.
   */
  long reserve(int len) {
    long start = position;
    long phys = start % size;
    if (phys + len > size) { // never straddle the end: skip to the next lap
      start += size - phys;
    }
    long end = start + len;
    claimed.accumulateAndGet(end, Math::max);
    long overwrittenBelow = end - size;
    for (Pin p : pins) {
      if (p.at.get() < overwrittenBelow) {
        return -1;
      }
    }
    position = end;
    return start;
  }

  MemorySegment segment(long start, int len) {
    return memory.asSlice(start % size, len);
  }

  /** Sink: pins the batch; false if it has already been (or is being) overwritten: then drop it, unpinned. */
  static boolean enter(Pin p, long start, PacketSlab slab) {
    p.at.set(start);
    if (slab.claimed.get() - slab.size > start) {
      p.at.set(IDLE);
      return false;
    }
    return true;
  }

  static void exit(Pin p) {
    p.at.set(IDLE);
  }

  @Override
  public synchronized void close() {
    if (arena.scope().isAlive()) {
      arena.close();
    }
  }
}
