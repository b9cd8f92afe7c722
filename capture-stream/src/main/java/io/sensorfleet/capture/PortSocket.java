package io.sensorfleet.capture;

import static io.sensorfleet.capture.internal.Tpacket.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.sensorfleet.capture.internal.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.Optional;

/**
 * The sending side of one mirror port: an AF_PACKET socket bound to the port with protocol 0 (so it never
 * receives), optionally PACKET_QDISC_BYPASS. {@link #send} hands the batch's frames over with non-blocking
 * sendmmsg(2), its iovecs pointing straight at them (no copy): a port without a filter sends the messages built
 * once per block for all such ports ({@link SharedMessages}), a port with one builds its subset in a preallocated
 * array of its own ({@link MessageVectors}). What the port cannot take right now is dropped and counted for this
 * port only, never waited for. One thread at a time (the branch's sink).
 */
public final class PortSocket implements AutoCloseable {
  private final String port;
  private final int fd;
  private final Arena arena = Arena.ofShared();
  private final Libc.Errno errno = new Libc.Errno(arena);
  private final MessageVectors own; // this port's messages: its filter's subset, or a fallback
  private final Optional<PacketFilter> filter;
  private final PortCounters counters;
  private final RingLease lease;
  private final RingLease.Pin pin;
  private final SharedMessages shared; // null for a port with a filter
  private boolean closed;

  private PortSocket(String port, int fd, int capacity, Optional<PacketFilter> filter, PortCounters counters,
                     RingLease lease, SharedMessages shared) {
    this.lease = lease;
    this.pin = lease.pin();
    this.port = port;
    this.fd = fd;
    this.filter = filter;
    this.counters = counters;
    this.shared = filter.isPresent() ? null : shared;
    this.own = new MessageVectors(arena, capacity);
  }

  public static PortSocket open(String port, Optional<PacketFilter> filter, PortCounters counters, PacketRing ring,
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
        return new PortSocket(port, fd, s.sendBatch(), filter, counters, ring.lease(), ring.messages());
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
    SharedMessages.Entry e = shared == null ? null : shared.acquire(batch);
    if (e != null) {
      try {
        sendShared(e, batch.count());
      } finally {
        shared.release(e);
      }
    } else {
      sendOwn(batch);
    }
    Reference.reachabilityFence(batch); // the messages pointed into its memory until now
  }

  /** Every frame of the batch, from the messages built once for all unfiltered ports. */
  private void sendShared(SharedMessages.Entry e, int count) {
    MessageVectors v = e.vectors();
    int chunk = shared.chunk();
    for (int from = 0, c = 0; from < count; from += chunk, c++) {
      flush(v, from, Math.min(chunk, count - from), e.chunkBytes(c));
    }
  }

  /** The frames that pass this port's filter (all of them without one), from messages of its own. */
  private void sendOwn(PacketBatch batch) {
    long base = batch.data().address();
    int count = batch.count();
    int n = 0;
    long bytes = 0;
    long filtered = 0;
    PacketFilter f = filter.orElse(null);
    MessageVectors v = own;
    int capacity = v.capacity();
    for (int i = 0; i < count; i++) {
      long addr = base + batch.offset(i);
      int len = batch.snaplen(i);
      if (f != null && !f.matches(addr, batch.wirelen(i), len)) {
        filtered++;
        continue;
      }
      bytes += v.set(n, addr, len, batch.vlan(i));
      if (++n == capacity) {
        flush(v, 0, n, bytes);
        n = 0;
        bytes = 0;
      }
    }
    if (n > 0) {
      flush(v, 0, n, bytes);
    }
    if (filtered > 0) {
      counters.filtered.addAndGet(filtered);
    }
  }

  /** Sends messages {@code from} to {@code from + n - 1} of {@code v}, which carry {@code total} bytes. */
  private void flush(MessageVectors v, int from, int n, long total) {
    int off = 0;
    long sent = 0;
    long bytes = 0;
    long dropped = 0;
    while (off < n) {
      int r = Libc.sendmmsg(errno, fd, v.message(from + off), n - off, Libc.MSG_DONTWAIT);
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
      // A packet socket sends a frame whole or not at all: what went is what the messages carry (the kernel's
      // msg_len says the same; reading it back from native memory per frame cost more than this sum).
      if (off == 0 && r == n) {
        bytes = total; // all of them at once, the usual case
      } else {
        int[] slotBytes = v.slotBytes;
        for (int j = from + off; j < from + off + r; j++) {
          bytes += slotBytes[j];
        }
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
