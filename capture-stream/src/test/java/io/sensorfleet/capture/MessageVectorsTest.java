package io.sensorfleet.capture;

import static io.sensorfleet.capture.internal.Tpacket.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One message slot as sendmmsg reads it, while it changes between an untagged and an 802.1Q-tagged frame. */
class MessageVectorsTest {
  private static final long FRAME = 0x7f00_0000_1000L; // never read: only addresses are compared
  private final Arena arena = Arena.ofConfined();
  private final MessageVectors vectors = new MessageVectors(arena, 4);

  @AfterEach
  void close() {
    arena.close();
  }

  /** The (base, length) pairs of slot {@code slot}'s iovecs. */
  private long[] iovecs(int slot) {
    MemorySegment msg = MemorySegment.ofAddress(vectors.message(slot)).reinterpret(MMSG_SIZE);
    int n = (int) msg.get(JAVA_LONG, MSG_IOVLEN);
    MemorySegment iov = MemorySegment.ofAddress(msg.get(JAVA_LONG, MSG_IOV)).reinterpret((long) IOV_SIZE * n);
    long[] out = new long[2 * n];
    for (int i = 0; i < n; i++) {
      out[2 * i] = iov.get(JAVA_LONG, (long) i * IOV_SIZE + IOV_BASE);
      out[2 * i + 1] = iov.get(JAVA_LONG, (long) i * IOV_SIZE + IOV_LEN);
    }
    return out;
  }

  @Test
  void a_slot_goes_from_untagged_to_tagged_and_back_without_copying_the_frame() {
    assertEquals(100, vectors.set(2, FRAME, 100, 0));
    assertArrayEquals(new long[] {FRAME, 100}, iovecs(2));

    assertEquals(104, vectors.set(2, FRAME, 100, 0x8100_a00a), "the tag's 4 bytes count");
    long[] tagged = iovecs(2);
    assertArrayEquals(new long[] {FRAME, ETH_ADDRS}, new long[] {tagged[0], tagged[1]}, "MAC addresses");
    assertEquals(VLAN_TAG, tagged[3]);
    byte[] tag = MemorySegment.ofAddress(tagged[2]).reinterpret(VLAN_TAG).toArray(JAVA_BYTE);
    assertArrayEquals(new byte[] {(byte) 0x81, 0x00, (byte) 0xa0, 0x0a}, tag, "TPID, TCI in network order");
    assertArrayEquals(new long[] {FRAME + ETH_ADDRS, 100 - ETH_ADDRS}, new long[] {tagged[4], tagged[5]}, "the rest");

    assertEquals(60, vectors.set(2, FRAME + 4096, 60, 0));
    assertArrayEquals(new long[] {FRAME + 4096, 60}, iovecs(2), "one iovec again");
    assertEquals(60, vectors.slotBytes[2]);
  }
}
