package io.sensorfleet.capture;

import static io.sensorfleet.capture.internal.Tpacket.*;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A preallocated {@code mmsghdr} array for sendmmsg(2) whose messages point straight at frames in a ring block (no
 * copy). A message is one iovec, or three for a frame whose 802.1Q tag the kernel took out (MAC addresses, the tag
 * from a buffer of its own, the rest). Untagged frames' iovecs are packed (16 bytes apart), so the arrays the
 * kernel reads per frame stay small in the cache. Either one port's own ({@link PortSocket}: the frames its filter
 * passes, up to {@code send-batch} at a time) or a whole block's, shared by every unfiltered port ({@link
 * SharedMessages}). Not thread-safe: whoever fills it owns it.
 */
final class MessageVectors {
  private static final VarHandle BE_SHORT =
      java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN).varHandle();
  private static final int TAGGED_IOVS = 3;

  private final int capacity;
  private final MemorySegment msgs;
  private final MemorySegment iov;
  private final MemorySegment taggedIov;
  private final MemorySegment tags;
  private final long msgsAddress;
  private final long iovAddress;
  private final long taggedIovAddress;
  // Per message, on the Java side (no native reads on the hot path): the bytes it carries, and whether its mmsghdr
  // points at the three iovecs of an 802.1Q frame, so msg_iov and msg_iovlen are written only when that changes.
  final int[] slotBytes;
  private final boolean[] slotTagged;

  MessageVectors(Arena arena, int capacity) {
    this.capacity = capacity;
    this.msgs = arena.allocate((long) MMSG_SIZE * capacity, 8);
    this.iov = arena.allocate((long) IOV_SIZE * capacity, 8);
    this.taggedIov = arena.allocate((long) IOV_SIZE * TAGGED_IOVS * capacity, 8);
    this.tags = arena.allocate((long) VLAN_TAG * capacity, 4);
    this.msgsAddress = msgs.address();
    this.iovAddress = iov.address();
    this.taggedIovAddress = taggedIov.address();
    this.slotBytes = new int[capacity];
    this.slotTagged = new boolean[capacity];
    for (int j = 0; j < capacity; j++) {
      msgs.set(JAVA_LONG, (long) j * MMSG_SIZE + MSG_IOV, iovAddress + (long) j * IOV_SIZE);
      msgs.set(JAVA_LONG, (long) j * MMSG_SIZE + MSG_IOVLEN, 1);
      long tagIov = ((long) j * TAGGED_IOVS + 1) * IOV_SIZE;
      taggedIov.set(JAVA_LONG, tagIov + IOV_BASE, tags.address() + (long) j * VLAN_TAG);
      taggedIov.set(JAVA_LONG, tagIov + IOV_LEN, VLAN_TAG);
    }
  }

  int capacity() {
    return capacity;
  }

  /** Address of message {@code slot}, for sendmmsg. */
  long message(int slot) {
    return msgsAddress + (long) slot * MMSG_SIZE;
  }

  /**
   * Points message {@code slot} at the {@code len} bytes at {@code addr}, with the 802.1Q tag {@code tag} ({@code
   * TPID << 16 | TCI}, 0 for none) put back after the MAC addresses; returns the bytes it carries.
   */
  int set(int slot, long addr, int len, int tag) {
    int bytes;
    if (tag == 0) {
      long at = (long) slot * IOV_SIZE;
      iov.set(JAVA_LONG, at + IOV_BASE, addr);
      iov.set(JAVA_LONG, at + IOV_LEN, len);
      bytes = len;
      if (slotTagged[slot]) {
        msgs.set(JAVA_LONG, (long) slot * MMSG_SIZE + MSG_IOV, iovAddress + at);
        msgs.set(JAVA_LONG, (long) slot * MMSG_SIZE + MSG_IOVLEN, 1);
        slotTagged[slot] = false;
      }
    } else { // MACs, the tag (TPID, TCI; network order), then EtherType and payload: no copy of the frame
      long at = (long) slot * TAGGED_IOVS * IOV_SIZE;
      BE_SHORT.set(tags, (long) slot * VLAN_TAG, (short) (tag >>> 16));
      BE_SHORT.set(tags, (long) slot * VLAN_TAG + 2, (short) tag);
      taggedIov.set(JAVA_LONG, at + IOV_BASE, addr);
      taggedIov.set(JAVA_LONG, at + IOV_LEN, ETH_ADDRS);
      taggedIov.set(JAVA_LONG, at + 2 * IOV_SIZE + IOV_BASE, addr + ETH_ADDRS);
      taggedIov.set(JAVA_LONG, at + 2 * IOV_SIZE + IOV_LEN, len - ETH_ADDRS);
      bytes = len + VLAN_TAG;
      if (!slotTagged[slot]) {
        msgs.set(JAVA_LONG, (long) slot * MMSG_SIZE + MSG_IOV, taggedIovAddress + at);
        msgs.set(JAVA_LONG, (long) slot * MMSG_SIZE + MSG_IOVLEN, TAGGED_IOVS);
        slotTagged[slot] = true;
      }
    }
    slotBytes[slot] = bytes;
    return bytes;
  }
}
