package io.sensorfleet.core.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds the {@code \n} that ends a frame, eight bytes at a time (the "has a zero byte" bit trick on the bytes XOR
 * {@code \n}): every reader of the line protocol scans each byte it receives for it, and the byte-by-byte loop was a
 * sixth of the platform's reader's time in a profile (docs/benchmarks.md, issue 5).
 */
public final class Newlines {

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  private Newlines() {}

  /** The first {@code \n} in {@code [from, to)} of {@code buffer}, else {@code to}. */
  public static int indexOf(byte[] buffer, int from, int to) {
    int i = from;
    for (; i + Long.BYTES <= to; i += Long.BYTES) {
      long x = (long) LONGS.get(buffer, i) ^ NEWLINES;
      // A borrow can mark a byte above the first match too, never one below it: the lowest mark is the first \n.
      long found = (x - ONES) & ~x & HIGH_BITS;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (buffer[i] == '\n') {
        return i;
      }
    }
    return to;
  }
}
