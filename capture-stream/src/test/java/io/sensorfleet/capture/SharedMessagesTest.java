package io.sensorfleet.capture;

import static io.sensorfleet.capture.internal.Tpacket.*;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The messages shared by the unfiltered ports, single-threaded, without sockets: built once per batch, read back
 * from native memory as the kernel would, and never rebuilt while a port holds them.
 */
class SharedMessagesTest {
  private final Arena arena = Arena.ofConfined();
  private boolean lagging = true; // whether some port has yet to finish an earlier block
  private final SharedMessages shared = new SharedMessages(16, 4, seq -> lagging);

  @AfterEach
  void close() {
    shared.close();
    arena.close();
  }

  /** A batch of {@code count} frames of 100 + i bytes, 200 bytes apart in a block of its own. */
  private PacketBatch batch(long seq, int count) {
    MemorySegment data = arena.allocate(200L * count);
    int[] offset = new int[count];
    int[] len = new int[count];
    long bytes = 0;
    for (int i = 0; i < count; i++) {
      offset[i] = 200 * i;
      len[i] = 100 + i;
      bytes += len[i];
    }
    return new PacketBatch(seq, data, count, offset, len, len.clone(), null, bytes);
  }

  /** Frame address and length that message {@code slot} points at (one iovec), as sendmmsg reads them. */
  private static long[] iovec(MessageVectors v, int slot) {
    MemorySegment msg = MemorySegment.ofAddress(v.message(slot)).reinterpret(MMSG_SIZE);
    assertEquals(1, msg.get(JAVA_LONG, MSG_IOVLEN));
    MemorySegment iov = MemorySegment.ofAddress(msg.get(JAVA_LONG, MSG_IOV)).reinterpret(IOV_SIZE);
    return new long[] {iov.get(JAVA_LONG, IOV_BASE), iov.get(JAVA_LONG, IOV_LEN)};
  }

  /** Acquires {@code batch}, checks its messages were built into {@code expected} and point at it, releases. */
  private void assertBuiltInto(SharedMessages.Entry expected, PacketBatch batch, String why) {
    SharedMessages.Entry e = shared.acquire(batch);
    assertSame(expected, e, why);
    assertArrayEquals(new long[] {batch.data().address(), 100}, iovec(e.vectors(), 0));
    shared.release(e);
  }

  @Test
  void the_messages_point_at_every_frame_of_the_batch_and_count_each_chunks_bytes() {
    PacketBatch b = batch(0, 10);
    SharedMessages.Entry e = shared.acquire(b);
    for (int i = 0; i < 10; i++) {
      assertArrayEquals(new long[] {b.data().address() + 200L * i, 100 + i}, iovec(e.vectors(), i), "frame " + i);
    }
    assertEquals(100 + 101 + 102 + 103, e.chunkBytes(0));
    assertEquals(104 + 105 + 106 + 107, e.chunkBytes(1));
    assertEquals(108 + 109, e.chunkBytes(2));
    shared.release(e);
  }

  @Test
  void a_second_port_sending_the_same_batch_shares_the_first_ports_messages() {
    PacketBatch b = batch(0, 3);
    SharedMessages.Entry first = shared.acquire(b);
    SharedMessages.Entry second = shared.acquire(b);
    assertSame(first, second);
    shared.release(first);
    shared.release(second);
    assertSame(first, shared.acquire(b), "released, still built for this batch: not built again");
  }

  @Test
  void messages_a_port_holds_are_never_rebuilt_for_another_batch() {
    PacketBatch a = batch(0, 3);
    PacketBatch b = batch(1, 3);
    SharedMessages.Entry held = shared.acquire(a);
    SharedMessages.Entry other = shared.acquire(b);
    assertNotNull(other);
    assertNotSame(held, other);
    assertNull(shared.acquire(batch(2, 3)), "both held: the port builds its own messages");
    assertArrayEquals(new long[] {a.data().address() + 200, 101}, iovec(held.vectors(), 1), "still batch a's");
  }

  @Test
  void while_a_port_lags_it_finds_the_older_batch_still_built_and_a_new_batch_replaces_the_least_recent() {
    PacketBatch a = batch(0, 3);
    PacketBatch b = batch(1, 3);
    SharedMessages.Entry ea = shared.acquire(a);
    shared.release(ea);
    SharedMessages.Entry eb = shared.acquire(b);
    shared.release(eb);
    SharedMessages.Entry lagging = shared.acquire(a);
    assertSame(ea, lagging, "batch a's messages are still there");
    shared.release(lagging);
    assertBuiltInto(ea, batch(2, 3), "a was built before b: c takes its place");
    assertSame(eb, shared.acquire(b), "b's are untouched");
  }

  @Test
  void while_no_port_lags_a_new_batch_replaces_the_newest_so_ports_in_step_use_one_array() {
    lagging = false;
    SharedMessages.Entry ea = shared.acquire(batch(0, 3));
    shared.release(ea);
    PacketBatch b = batch(1, 3);
    assertBuiltInto(ea, b, "every port is done with a: b takes its place, the other entry stays cold");
    lagging = true;
    SharedMessages.Entry ec = shared.acquire(batch(2, 3));
    assertNotSame(ea, ec, "a port has yet to send b: c goes to the other entry");
    shared.release(ec);
    assertSame(ea, shared.acquire(b), "b's are still there for it");
  }
}
