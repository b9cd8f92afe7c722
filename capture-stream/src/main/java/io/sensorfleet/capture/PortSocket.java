package io.sensorfleet.capture;

import static io.sensorfleet.capture.internal.Tpacket.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.sensorfleet.capture.internal.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.Optional;

/**
 * The sending side of one mirror port: an AF_PACKET socket bound to the port with protocol 0 (so it never
 * receives), optionally PACKET_QDISC_BYPASS, and a preallocated {@code mmsghdr}/{@code iovec} array. {@link
 * #send} points the iovecs straight at the batch's frames (no copy) and hands them over with non-blocking
 * sendmmsg(2): what the port cannot take right now is dropped and counted for this port only, never waited
 * for. One thread at a time (the branch's sink).
 */
public final class PortSocket implements AutoCloseable {
  private final String port;
  private final int fd;
  private final Arena arena = Arena.ofShared();
  private final Libc.Errno errno = new Libc.Errno(arena);
  private final MemorySegment msgs;
  private final MemorySegment iov;
  private final MemorySegment tags;
  private static final int IOVS = 3;
  private static final java.lang.invoke.VarHandle BE_SHORT =
      java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN).varHandle();
  private final long msgsAddress;
  private final int capacity;
  // Per message slot, on the Java side (no native reads on the hot path): the bytes it carries, and whether its
  // mmsghdr points at three iovecs (an 802.1Q frame) rather than one, so msg_iovlen is written only when it changes.
  private final int[] slotBytes;
  private final boolean[] slotTagged;
  private final Optional<PacketFilter> filter;
  private final PortCounters counters;
  private final RingLease lease;
  private final RingLease.Pin pin;
  private boolean closed;

  private PortSocket(String port, int fd, int capacity, Optional<PacketFilter> filter, PortCounters counters,
                     RingLease lease) {
    this.lease = lease;
    this.pin = lease.pin();
    this.port = port;
    this.fd = fd;
    this.capacity = capacity;
    this.filter = filter;
    this.counters = counters;
    this.msgs = arena.allocate((long) MMSG_SIZE * capacity, 8);
    // Three iovecs per message: a frame whose 802.1Q tag the kernel took out goes as MACs, tag, rest.
    this.iov = arena.allocate((long) IOV_SIZE * IOVS * capacity, 8);
    this.tags = arena.allocate((long) VLAN_TAG * capacity, 4);
    this.msgsAddress = msgs.address();
    this.slotBytes = new int[capacity];
    this.slotTagged = new boolean[capacity];
    for (int j = 0; j < capacity; j++) {
      msgs.set(JAVA_LONG, (long) j * MMSG_SIZE + MSG_IOV, iov.address() + (long) j * IOVS * IOV_SIZE);
      msgs.set(JAVA_LONG, (long) j * MMSG_SIZE + MSG_IOVLEN, 1);
      iov.set(JAVA_LONG, ((long) j * IOVS + 1) * IOV_SIZE + IOV_BASE, tags.address() + (long) j * VLAN_TAG);
      iov.set(JAVA_LONG, ((long) j * IOVS + 1) * IOV_SIZE + IOV_LEN, VLAN_TAG);
    }
  }

  public static PortSocket open(String port, Optional<PacketFilter> filter, PortCounters counters, RingLease lease,
                                CaptureSettings s) {
    try (Arena tmp = Arena.ofConfined()) {
      Libc.Errno e = new Libc.Errno(tmp);
      int ifindex = Libc.ifNameToIndex(port);
      if (ifindex == 0) {
        throw new CaptureException("mirror port " + port + " does not exist");
      }
      int fd = Libc.socket(e, Libc.AF_PACKET, Libc.SOCK_RAW, 0); // protocol 0: this socket never receives
      if (fd < 0) {
        throw PacketRing.fail("socket(AF_PACKET) for " + port + " (needs CAP_NET_RAW)", e);
      }
      try {
        MemorySegment sll = tmp.allocate(SLL_SIZE);
        sll.set(JAVA_SHORT, SLL_FAMILY, (short) Libc.AF_PACKET);
        sll.set(JAVA_INT, SLL_IFINDEX, ifindex);
        PacketRing.check(Libc.bind(e, fd, sll, SLL_SIZE), "bind to " + port, e);
        if (s.qdiscBypass()) {
          PacketRing.check(Libc.setsockopt(e, fd, Libc.SOL_PACKET, Libc.PACKET_QDISC_BYPASS,
              tmp.allocateFrom(JAVA_INT, 1), 4), "PACKET_QDISC_BYPASS on " + port, e);
        }
        if (Libc.setsockopt(e, fd, Libc.SOL_SOCKET, Libc.SO_SNDBUFFORCE,
            tmp.allocateFrom(JAVA_INT, s.sendBuffer()), 4) < 0) {
          // SO_SNDBUFFORCE needs CAP_NET_ADMIN, which the engine's own process does not hold (capture.md):
          // then the largest buffer net.core.wmem_max allows, which only costs drops to a slow consumer.
          if (e.value() != Libc.EPERM) {
            throw PacketRing.fail("SO_SNDBUFFORCE on " + port, e);
          }
          PacketRing.check(Libc.setsockopt(e, fd, Libc.SOL_SOCKET, Libc.SO_SNDBUF,
              tmp.allocateFrom(JAVA_INT, s.sendBuffer()), 4), "SO_SNDBUF on " + port, e);
        }
        return new PortSocket(port, fd, s.sendBatch(), filter, counters, lease);
      } catch (RuntimeException ex) {
        Libc.close(e, fd);
        throw ex;
      }
    }
  }

  public String port() {
    return port;
  }

  /** Sends every frame of {@code batch} that passes this port's filter; counts delivered, filtered, dropped. */
  public void send(PacketBatch batch) {
    if (!lease.enter(pin, batch.start())) { // its block went back to the kernel: this branch was hold-blocks behind
      counters.dropped.addAndGet(batch.count());
      counters.overflowed.addAndGet(batch.count());
    } else {
      try {
        sendPinned(batch);
      } finally {
        RingLease.exit(pin);
      }
    }
    RingLease.finished(pin, batch.start(), System.nanoTime());
  }

  private void sendPinned(PacketBatch batch) {
    long base = batch.data().address();
    int count = batch.count();
    int n = 0;
    long filtered = 0;
    PacketFilter f = filter.orElse(null);
    MemorySegment iov = this.iov;
    MemorySegment msgs = this.msgs;
    int[] slotBytes = this.slotBytes;
    boolean[] slotTagged = this.slotTagged;
    for (int i = 0; i < count; i++) {
      long addr = base + batch.offset(i);
      int len = batch.snaplen(i);
      if (f != null && !f.matches(addr, batch.wirelen(i), len)) {
        filtered++;
        continue;
      }
      long slot = (long) n * IOVS * IOV_SIZE;
      int tag = batch.vlan(i);
      if (tag == 0) {
        iov.set(JAVA_LONG, slot + IOV_BASE, addr);
        iov.set(JAVA_LONG, slot + IOV_LEN, len);
        slotBytes[n] = len;
        if (slotTagged[n]) {
          msgs.set(JAVA_LONG, (long) n * MMSG_SIZE + MSG_IOVLEN, 1);
          slotTagged[n] = false;
        }
      } else { // MACs, the tag (TPID, TCI; network order), then EtherType and payload: no copy of the frame
        BE_SHORT.set(tags, (long) n * VLAN_TAG, (short) (tag >>> 16));
        BE_SHORT.set(tags, (long) n * VLAN_TAG + 2, (short) tag);
        iov.set(JAVA_LONG, slot + IOV_BASE, addr);
        iov.set(JAVA_LONG, slot + IOV_LEN, ETH_ADDRS);
        iov.set(JAVA_LONG, slot + 2 * IOV_SIZE + IOV_BASE, addr + ETH_ADDRS);
        iov.set(JAVA_LONG, slot + 2 * IOV_SIZE + IOV_LEN, len - ETH_ADDRS);
        slotBytes[n] = len + VLAN_TAG;
        if (!slotTagged[n]) {
          msgs.set(JAVA_LONG, (long) n * MMSG_SIZE + MSG_IOVLEN, IOVS);
          slotTagged[n] = true;
        }
      }
      if (++n == capacity) {
        flush(n);
        n = 0;
      }
    }
    if (n > 0) {
      flush(n);
    }
    if (filtered > 0) {
      counters.filtered.addAndGet(filtered);
    }
    Reference.reachabilityFence(batch); // the iovecs pointed into its memory until now
  }

  private void flush(int n) {
    int off = 0;
    long sent = 0;
    long bytes = 0;
    long dropped = 0;
    while (off < n) {
      int r = Libc.sendmmsg(errno, fd, msgsAddress + (long) off * MMSG_SIZE, n - off, Libc.MSG_DONTWAIT);
      if (r < 0) {
        int err = errno.value();
        if (err == Libc.EINTR) {
          continue;
        }
        if (err == Libc.EAGAIN) { // the port's socket buffer is full (slow consumer): drop the rest, for it only
          dropped += n - off;
          break;
        }
        dropped++; // ENOBUFS (the peer's backlog or qdisc is full) or another error: this frame only
        off++;
        continue;
      }
      // A packet socket sends a frame whole or not at all: what went is what the slots carry (the kernel's
      // msg_len says the same; reading it back from native memory per frame cost more than this sum).
      for (int j = off; j < off + r; j++) {
        bytes += slotBytes[j];
      }
      sent += r;
      off += r;
      if (off < n) { // sendmmsg stopped at a frame it could not send and hid the error: skip that frame
        dropped++;
        off++;
      }
    }
    counters.delivered.addAndGet(sent);
    counters.bytes.addAndGet(bytes);
    if (dropped > 0) {
      counters.dropped.addAndGet(dropped);
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      lease.unregister(pin);
      Libc.close(errno, fd);
      arena.close();
    }
  }
}
