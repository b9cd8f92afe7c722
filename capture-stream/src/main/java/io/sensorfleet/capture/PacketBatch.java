package io.sensorfleet.capture;

import java.lang.foreign.MemorySegment;

/**
 * One retired TPACKET_V3 ring block, a view straight into the RX ring (no copy), with its frames indexed. The
 * stream element of the mirror graph: every branch reads the same immutable batch; nothing is allocated per
 * frame.
 *
 * <p>{@code data} is the ring block itself: valid until the reader returns the block to the kernel, which sinks
 * check (and pin) through the {@link RingLease} before they read it. Frame {@code i} is {@code snaplen(i)} bytes
 * at {@code data.address() + offset(i)}, without the 802.1Q tag the kernel took out of it: {@link #vlan} has that.
 */
public final class PacketBatch {
  private final MemorySegment data;
  private final int count;
  private final int[] offset;
  private final int[] snaplen;
  private final int[] wirelen;
  private final int[] vlan;
  private final long bytes;
  private final long start;

  PacketBatch(long start, MemorySegment data, int count, int[] offset, int[] snaplen, int[] wirelen, int[] vlan,
              long bytes) {
    this.start = start;
    this.data = data;
    this.count = count;
    this.offset = offset;
    this.snaplen = snaplen;
    this.wirelen = wirelen;
    this.vlan = vlan;
    this.bytes = bytes;
  }

  /** Sequence number of the ring block this batch is a view of: valid while the block is lent (RingLease). */
  long start() {
    return start;
  }

  public MemorySegment data() {
    return data;
  }

  /** Frames in this batch. */
  public int count() {
    return count;
  }

  /** Captured bytes of all frames, with their 802.1Q tags. */
  public long bytes() {
    return bytes;
  }

  public int offset(int i) {
    return offset[i];
  }

  public int snaplen(int i) {
    return snaplen[i];
  }

  /** Length on the wire (larger than {@link #snaplen} only if the ring's frame was too small). */
  public int wirelen(int i) {
    return wirelen[i];
  }

  /**
   * Frame {@code i}'s 802.1Q tag as the kernel reported it ({@code TPID << 16 | TCI}), or 0 when it had none: the
   * frame in {@link #data} is without it, and a port puts it back between the MAC addresses and the EtherType.
   */
  public int vlan(int i) {
    return vlan == null ? 0 : vlan[i];
  }

  /** A copy of frame {@code i} (tests and debugging; the mirror itself never copies frames). */
  public byte[] frame(int i) {
    return data.asSlice(offset[i], snaplen[i]).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
  }
}
