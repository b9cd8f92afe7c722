package io.sensorfleet.capture;

import java.lang.foreign.Arena;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * The sendmmsg messages of whole ring blocks, built once per block and shared by every port without a filter: each
 * such port sends the same {@code mmsghdr} array (the kernel only reads it, and writes {@code msg_len}, the same
 * for every port), instead of pointing an array of its own at the same frames. Ports with a filter build their own
 * subset ({@link PortSocket}).
 *
 * <p>A few entries, each the messages of one batch. An entry is reference-counted: a port holds it for one send
 * (one non-blocking sendmmsg pass over the block, while the block itself is pinned, {@link RingLease}) and an
 * entry is rebuilt for another batch only while nobody holds it, so messages are never rewritten under a send. A
 * port that lags behind the others finds its block's entry still there (the older of two) or rebuilds the least
 * recent free one; while no port lags, the newest entry is rebuilt instead, so that ports in step reuse one
 * array rather than alternate between two. If every entry is held (ports sending on several threads at once,
 * which the engine's single dispatcher thread never does) it builds its own messages, as a filtered port does.
 * The entry keeps the batch it was built for as its key: a batch is one block's one reading, so the same object
 * means the same frames.
 */
final class SharedMessages implements AutoCloseable {
  private static final int ENTRIES = 2;

  private final Arena arena = Arena.ofShared();
  private final int maxFrames;
  private final int chunk;
  private final LongPredicate unfinished;
  private final Entry[] entries = new Entry[ENTRIES];

  /**
   * Messages for blocks of at most {@code maxFrames} frames, sent {@code chunk} (send-batch) at a time; {@code
   * unfinished} tells whether some port has yet to finish the block with a given sequence number ({@link
   * RingLease#unfinished}).
   */
  SharedMessages(int maxFrames, int chunk, LongPredicate unfinished) {
    this.maxFrames = maxFrames;
    this.chunk = chunk;
    this.unfinished = unfinished;
    for (int i = 0; i < ENTRIES; i++) {
      entries[i] = new Entry();
    }
  }

  /** One batch's messages; {@link #vectors} and {@link #chunkBytes} are valid while it is held. */
  final class Entry {
    private final AtomicInteger users = new AtomicInteger(); // -1 while being built
    private volatile PacketBatch batch;
    private volatile long builtAt; // a counter of builds, to pick the least recent entry to rebuild
    private MessageVectors vectors; // allocated at its first build
    private long[] chunkBytes;

    MessageVectors vectors() {
      return vectors;
    }

    /** Bytes the messages of chunk {@code c} (frames {@code c * chunk} to {@code (c + 1) * chunk - 1}) carry. */
    long chunkBytes(int c) {
      return chunkBytes[c];
    }

    private boolean share(PacketBatch b) {
      for (int u = users.get(); ; u = users.get()) {
        if (u < 0) {
          return false;
        }
        if (users.compareAndSet(u, u + 1)) {
          break;
        }
      }
      if (batch != b) { // rebuilt for another batch between the look and the hold
        users.decrementAndGet();
        return false;
      }
      return true;
    }

    private void build(PacketBatch b, long stamp) {
      if (vectors == null) {
        vectors = new MessageVectors(arena, maxFrames);
        chunkBytes = new long[(maxFrames + chunk - 1) / chunk];
      }
      java.util.Arrays.fill(chunkBytes, 0);
      long base = b.data().address();
      int count = b.count();
      MessageVectors v = vectors;
      for (int i = 0, c = 0, inChunk = 0; i < count; i++) {
        chunkBytes[c] += v.set(i, base + b.offset(i), b.snaplen(i), b.vlan(i));
        if (++inChunk == chunk) {
          c++;
          inChunk = 0;
        }
      }
      builtAt = stamp;
      batch = b;
    }
  }

  private final AtomicLong builds = new AtomicLong();

  /**
   * The messages of every frame of {@code b} (its block pinned by the caller), held until {@link #release}; null
   * if every entry is held by others (the caller then builds its own).
   */
  Entry acquire(PacketBatch b) {
    for (Entry e : entries) {
      if (e.batch == b && e.share(b)) {
        return e;
      }
    }
    Entry oldest = null; // the least recently built entry nobody holds: it may keep a lagging port's block
    Entry newest = null; // the most recently built one
    for (Entry e : entries) {
      if (e.users.get() == 0) {
        if (oldest == null || e.builtAt < oldest.builtAt) {
          oldest = e;
        }
        if (newest == null || e.builtAt > newest.builtAt) {
          newest = e;
        }
      }
    }
    Entry victim = oldest;
    PacketBatch last = newest == null ? null : newest.batch;
    if (last != null && newest != oldest && !unfinished.test(last.start())) {
      // Every port is done with the newest entry's block (the usual case: all ports in step): rebuild that one and
      // keep the older, so that ports in step use one array, not two in turn (half the cache footprint).
      victim = newest;
    }
    if (victim == null || !victim.users.compareAndSet(0, -1)) {
      return null;
    }
    try {
      victim.batch = null;
      victim.build(b, builds.incrementAndGet());
    } catch (RuntimeException | Error ex) {
      victim.users.set(0);
      throw ex;
    }
    victim.users.set(1);
    return victim;
  }

  void release(Entry e) {
    e.users.decrementAndGet();
  }

  int chunk() {
    return chunk;
  }

  /** Frees the messages: only once no port sends any more (the ring is closing). */
  @Override
  public void close() {
    arena.close();
  }
}
