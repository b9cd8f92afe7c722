package io.sensorfleet.capture;

import java.lang.foreign.MemorySegment;

/**
 * One retired TPACKET_V3 ring block, a view straight into the RX ring (no copy), with its frames indexed. The
 * stream element of the mirror graph: every branch reads the same immutable batch; nothing is allocated per
 * frame.
 *
 * <p>{@code data} is the ring block itself: valid until the reader returns the block to the kernel, which sinks
 * check (and pin) through the {@link RingLease} before they read it. Frame {@code i} is {@code snaplen(i)} bytes
 * at {@code data.address() + offset(i)}.
 */
public final class PacketBatch {
  private final MemorySegment data;
  private final int count;
  private final int[] offset;
  private final int[] snaplen;
  private final int[] wirelen;
  private final long bytes;
  private final long start;

  PacketBatch(long start, MemorySegment data, int count, int[] offset, int[] snaplen,
              int[] wirelen, long bytes) {
    this.start = start;
    this.data = data;
    this.count = count;
    this.offset = offset;
    this.snaplen = snaplen;
    this.wirelen = wirelen;
    this.bytes = bytes;
  }

  /** Sequence number of the ring block this batch is: valid while that block is lent ({@link RingLease}). */
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

  /** Captured bytes of all frames. */
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

  /** A copy of frame {@code i} (tests and debugging; the mirror itself never copies frames). */
  public byte[] frame(int i) {
    return data.asSlice(offset[i], snaplen[i]).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
  }
}
