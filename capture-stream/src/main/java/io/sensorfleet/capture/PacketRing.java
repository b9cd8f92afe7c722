package io.sensorfleet.capture;

import static io.sensorfleet.capture.internal.Tpacket.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.sensorfleet.capture.internal.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * An AF_PACKET socket on one interface with a TPACKET_V3 mmap RX ring. {@link #tryNext} (never blocks; {@link
 * #await} then waits for what it lacked) and {@link #next} (both in one) hand out one retired block at a time as a
 * {@link PacketBatch}: a view of the block itself (no copy), its frames indexed. The newest
 * {@code hold} blocks stay lent to the branches; older ones go back to the kernel as new ones are read, unless a
 * sink is sending from them right then ({@link RingLease}): then the reader waits for that send to end rather than
 * read on, so it never holds more than {@code hold + 1} blocks and the kernel always has the rest of the ring.
 * Not thread-safe: one reader at a time calls {@link #next}, {@link #tryNext} and {@link #await} (the engine's
 * reader hands its turns between two threads through executors); {@link #stats} may be called from anywhere.
 */
public final class PacketRing implements AutoCloseable {
  private static final VarHandle INT = JAVA_INT.varHandle();

  private final String iface;
  private final int fd;
  private final Arena arena = Arena.ofShared();
  private final Libc.Errno errno = new Libc.Errno(arena);
  private final MemorySegment ring;
  private final MemorySegment pollfd;
  private final int blockSize;
  private final int blockCount;
  private final int maxFrames;
  private final int hold;
  private final int lead;
  private final long leadStallNanos;
  private final long idleNanos;
  private final RingLease lease = new RingLease();
  private final SharedMessages messages;
  private long seq; // reader: sequence number of the next block to read (its index is seq % blockCount)
  private long returned; // reader: blocks below this sequence number are the kernel's again
  private long idleSince; // reader: when the next block was first found not ready, 0 while blocks come
  private long parkNanos = FIRST_PARK_NANOS; // reader: the current wait for a block while blocks are lent
  private long leadParkNanos = FIRST_PARK_NANOS; // reader: the current wait for the slowest branch
  private long kernelPackets;
  private long kernelDrops;
  private boolean closed;

  private PacketRing(String iface, int fd, MemorySegment ring, int blockSize, int blockCount, int hold, int lead,
                     long leadStallNanos, long idleNanos, int sendBatch) {
    this.iface = iface;
    this.hold = hold;
    this.lead = lead;
    this.leadStallNanos = leadStallNanos;
    this.idleNanos = idleNanos;
    this.fd = fd;
    this.ring = ring;
    this.blockSize = blockSize;
    this.blockCount = blockCount;
    // A frame takes at least its aligned tpacket3_hdr + sockaddr_ll (80 bytes) plus a minimal frame.
    this.maxFrames = blockSize / 96 + 1;
    this.messages = new SharedMessages(maxFrames, sendBatch, lease::unfinished);
    this.pollfd = arena.allocate(POLLFD_SIZE);
    pollfd.set(JAVA_INT, 0, fd);
    pollfd.set(JAVA_SHORT, 4, (short) (Libc.POLLIN | Libc.POLLERR));
  }

  /** Opens the socket, sets up and maps the ring, binds to {@code iface}: from here on frames are captured. */
  public static PacketRing open(String iface, CaptureSettings s) {
    try (Arena tmp = Arena.ofConfined()) {
      Libc.Errno e = new Libc.Errno(tmp);
      int ifindex = Libc.ifNameToIndex(iface);
      if (ifindex == 0) {
        throw new CaptureException("capture interface " + iface + " does not exist");
      }
      int fd = Libc.socket(e, Libc.AF_PACKET, Libc.SOCK_RAW, Libc.htons(Libc.ETH_P_ALL));
      if (fd < 0) {
        throw fail("socket(AF_PACKET) for " + iface + " (needs CAP_NET_RAW)", e);
      }
      try {
        MemorySegment v = tmp.allocateFrom(JAVA_INT, Libc.TPACKET_V3);
        check(Libc.setsockopt(e, fd, Libc.SOL_PACKET, Libc.PACKET_VERSION, v, 4), "PACKET_VERSION", e);
        MemorySegment req = tmp.allocate(REQ3_SIZE);
        req.set(JAVA_INT, REQ3_BLOCK_SIZE, s.blockSize());
        req.set(JAVA_INT, REQ3_BLOCK_NR, s.blockCount());
        req.set(JAVA_INT, REQ3_FRAME_SIZE, s.frameSize());
        req.set(JAVA_INT, REQ3_FRAME_NR, s.blockSize() / s.frameSize() * s.blockCount());
        req.set(JAVA_INT, REQ3_RETIRE_BLK_TOV, (int) Math.max(1, s.blockTimeout().toMillis()));
        check(Libc.setsockopt(e, fd, Libc.SOL_PACKET, Libc.PACKET_RX_RING, req, REQ3_SIZE), "PACKET_RX_RING", e);
        long size = (long) s.blockSize() * s.blockCount();
        long addr = Libc.mmap(e, size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd);
        if (addr == Libc.MAP_FAILED) {
          throw fail("mmap of the RX ring", e);
        }
        MemorySegment sll = tmp.allocate(SLL_SIZE);
        sll.set(JAVA_SHORT, SLL_FAMILY, (short) Libc.AF_PACKET);
        sll.set(JAVA_SHORT, SLL_PROTOCOL, (short) Libc.htons(Libc.ETH_P_ALL));
        sll.set(JAVA_INT, SLL_IFINDEX, ifindex);
        if (Libc.bind(e, fd, sll, SLL_SIZE) < 0) {
          Libc.munmap(e, addr, size);
          throw fail("bind to " + iface, e);
        }
        PacketRing r = new PacketRing(iface, fd, MemorySegment.ofAddress(addr).reinterpret(size), s.blockSize(),
            s.blockCount(), Math.max(1, Math.min(s.holdBlocks(), s.blockCount() / 2)), s.leadBlocks(),
            s.leadStall().toNanos(), s.pollTimeout().toNanos(), s.sendBatch());
        r.stats(); // forget what was counted before bind
        r.kernelPackets = 0;
        r.kernelDrops = 0;
        return r;
      } catch (RuntimeException ex) {
        Libc.close(e, fd);
        throw ex;
      }
    }
  }

  public String iface() {
    return iface;
  }

  /** Why {@link #tryNext} had no batch: what {@link #await} then waits for. */
  enum Wait { NONE, SEND, BRANCHES, BLOCK }

  private Wait lastWait = Wait.NONE;

  /**
   * The next retired block as a batch, or {@code null} when none is ready yet (waits up to about {@code
   * timeoutMillis}). Blocks in poll(2) or parks: call it from a thread of its own. Returns to the kernel, first,
   * the lent blocks beyond the newest {@code hold}, and all of them once no block has come for the poll timeout.
   */
  public PacketBatch next(int timeoutMillis) {
    PacketBatch b = tryNext();
    if (b != null) {
      return b;
    }
    Wait w = lastWait;
    await(timeoutMillis);
    return w == Wait.BLOCK ? tryNext() : null;
  }

  /**
   * The next retired block as a batch, or {@code null} at once if there is none to read now; then {@link #lastWait}
   * says why and {@link #await} waits for it. Never blocks: the engine's reader calls it on the graph's own
   * dispatcher thread and only hands the waits to a thread of its own.
   */
  PacketBatch tryNext() {
    if (!giveBack(hold)) {
      // A sink is sending from the oldest lent block. Wait for that send to end; never read on meanwhile: a reader
      // that kept reading could come to hold the whole ring, the kernel would then stop on a block we hold and
      // drop everything (the stall of the first zero-copy attempt). The kernel counts what it drops meanwhile.
      idleSince = 0; // waiting for a send is not idleness: no idle release of what the sinks still have
      lastWait = Wait.SEND;
      return null;
    }
    if (lead > 0 && lease.lagging(seq - lead, System.nanoTime(), leadStallNanos)) {
      // The slowest branch is lead-blocks behind: read no further for now, as the native mirror, which sends each
      // block to every port before it reads the next. The kernel drops what comes meanwhile before copying it.
      idleSince = 0; // nor is waiting for the branches: the idle release would take back what they still have
      lastWait = Wait.BRANCHES;
      return null;
    }
    leadParkNanos = FIRST_PARK_NANOS;
    long base = (seq % blockCount) * blockSize;
    int status = (int) INT.getAcquire(ring, base + BD_BLOCK_STATUS);
    if ((status & TP_STATUS_USER) == 0) {
      lastWait = Wait.BLOCK;
      return null;
    }
    idleSince = 0;
    parkNanos = FIRST_PARK_NANOS;
    lastWait = Wait.NONE;
    int n = ring.get(JAVA_INT, base + BD_NUM_PKTS);
    int used = Math.min(ring.get(JAVA_INT, base + BD_BLK_LEN), blockSize);
    int first = ring.get(JAVA_INT, base + BD_OFFSET_TO_FIRST_PKT);
    PacketBatch batch = index(base, n, used, first, seq);
    seq++;
    return batch;
  }

  /** Why the last {@link #tryNext} had no batch. */
  Wait lastWait() {
    return lastWait;
  }

  /**
   * Waits for what the last {@link #tryNext} lacked: a sink's send to end (20 µs), the slowest branch (sending a
   * block to the ports takes milliseconds at full rate: 100 µs, doubling up to 1 ms while they stay behind), or the
   * next block (poll(2) or, while blocks are lent, a park; below). Blocks: a thread of its own only.
   */
  void await(int timeoutMillis) {
    switch (lastWait) {
      case SEND -> LockSupport.parkNanos(MIN_PARK_NANOS);
      case BRANCHES -> {
        LockSupport.parkNanos(leadParkNanos);
        leadParkNanos = Math.min(MAX_PARK_NANOS, leadParkNanos * 2);
      }
      case BLOCK -> waitForBlock(timeoutMillis);
      case NONE -> { }
    }
  }

  /** The wait for a sink's send to end (a sendmmsg pass over one block: well under a millisecond). */
  private static final long MIN_PARK_NANOS = 20_000;
  /** The first and the longest wait for the next block while blocks are lent (each wake-up costs a switch). */
  private static final long FIRST_PARK_NANOS = 100_000;
  private static final long MAX_PARK_NANOS = 1_000_000;

  /**
   * Waits for the next block. With nothing lent, poll(2). While blocks are lent poll(2) is useless: on a TPACKET_V3
   * ring it reports readable as long as the last retired block is the user's, which a lent block always is. So
   * park, a little longer each time (up to 1 ms, half the default block timeout); once nothing has come for the
   * idle time (the poll timeout) every lent block that no sink is sending from goes back, and poll(2) works again.
   */
  private void waitForBlock(int timeoutMillis) {
    if (seq == returned) {
      Libc.poll(errno, pollfd.address(), 1, timeoutMillis);
      return;
    }
    long now = System.nanoTime();
    if (idleSince == 0) {
      idleSince = now;
    } else if (now - idleSince >= idleNanos && giveBack(0)) {
      return; // all back: the next call polls
    }
    LockSupport.parkNanos(parkNanos);
    parkNanos = Math.min(MAX_PARK_NANOS, parkNanos * 2);
  }

  /** The branches' side of the lease on this ring's blocks. */
  RingLease lease() {
    return lease;
  }

  /** The sendmmsg messages of whole blocks, shared by the ports without a filter. */
  SharedMessages messages() {
    return messages;
  }

  /** Blocks lent to the branches now (reader thread; tests). */
  int lent() {
    return (int) (seq - returned);
  }

  /**
   * Returns the oldest lent blocks to the kernel until at most {@code keep} are lent; false if a sink is sending
   * from the oldest one (it stays lent; the caller waits).
   */
  private boolean giveBack(int keep) {
    while (seq - returned > keep) {
      if (!lease.claim(returned + 1)) {
        return false;
      }
      INT.setRelease(ring, (returned % blockCount) * blockSize + BD_BLOCK_STATUS, TP_STATUS_KERNEL);
      returned++;
    }
    return true;
  }

  private PacketBatch index(long base, int n, int used, int first, long blockSeq) {
    n = Math.min(n, maxFrames);
    MemorySegment data = ring.asSlice(base, used);
    int[] offset = new int[n];
    int[] snaplen = new int[n];
    int[] wirelen = new int[n];
    int[] vlan = null; // allocated only for a block that has tagged frames
    long bytes = 0;
    int off = first;
    int count = 0;
    for (int i = 0; i < n && off > 0 && off < used; i++) {
      int mac = Short.toUnsignedInt(data.get(JAVA_SHORT, off + H3_MAC));
      int snap = data.get(JAVA_INT, off + H3_SNAPLEN);
      if (off + mac + snap > used) {
        break; // never trust a length beyond what was copied
      }
      offset[i] = off + mac;
      snaplen[i] = snap;
      wirelen[i] = data.get(JAVA_INT, off + H3_LEN);
      int status = data.get(JAVA_INT, off + H3_STATUS);
      if ((status & TP_STATUS_VLAN_VALID) != 0 && snap >= ETH_ADDRS) {
        // The kernel took the 802.1Q tag out of the frame into the header: keep it, the sinks put it back.
        int tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0
            ? Short.toUnsignedInt(data.get(JAVA_SHORT, off + H3_VLAN_TPID)) : ETH_P_8021Q;
        if (vlan == null) {
          vlan = new int[n];
        }
        vlan[i] = (tpid == 0 ? ETH_P_8021Q : tpid) << 16 | (data.get(JAVA_INT, off + H3_VLAN_TCI) & 0xffff);
        bytes += VLAN_TAG;
      }
      bytes += snap;
      count++;
      off += data.get(JAVA_INT, off + H3_NEXT_OFFSET);
    }
    return new PacketBatch(blockSeq, data, count, offset, snaplen, wirelen, vlan, bytes);
  }

  /** The kernel's counters since open: frames it passed to the ring, and frames it dropped for lack of room. */
  public synchronized RingStats stats() {
    if (!closed) {
      try (Arena tmp = Arena.ofConfined()) {
        Libc.Errno e = new Libc.Errno(tmp);
        MemorySegment st = tmp.allocate(STATS3_SIZE);
        MemorySegment len = tmp.allocateFrom(JAVA_INT, STATS3_SIZE);
        if (Libc.getsockopt(e, fd, Libc.SOL_PACKET, Libc.PACKET_STATISTICS, st, len) == 0) {
          // reading resets the kernel's counters: accumulate
          kernelPackets += Integer.toUnsignedLong(st.get(JAVA_INT, STATS3_PACKETS));
          kernelDrops += Integer.toUnsignedLong(st.get(JAVA_INT, STATS3_DROPS));
        }
      }
    }
    return new RingStats(kernelPackets, kernelDrops);
  }

  /** Kernel counters of the RX ring. */
  public record RingStats(long packets, long drops) {}

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    stats();
    closed = true;
    Libc.munmap(errno, ring.address(), ring.byteSize());
    Libc.close(errno, fd);
    messages.close();
    arena.close();
  }

  static void check(int rc, String what, Libc.Errno e) {
    if (rc < 0) {
      throw fail(what, e);
    }
  }

  static CaptureException fail(String what, Libc.Errno e) {
    int err = e.value();
    return new CaptureException(what + " failed: " + Libc.strerror(err) + " (errno " + err + ")");
  }
}
