package io.sensorfleet.core.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * One pass over a frame's bytes before Jackson sees them, for what Jackson would let through: it skips a BOM,
 * guesses UTF-16 or UTF-32 from NUL bytes, and accepts overlong forms and encoded surrogates in strings it skips.
 * A raw line feed is refused too: it would split the frame when re-sent.
 */
final class Utf8Scan {

  /** What {@link #firstProblem} found. */
  enum Problem {
    NONE, INVALID_UTF8, NUL, LINE_FEED, BYTE_ORDER_MARK
  }

  /** Position and kind of the first forbidden byte; {@code index} is relative to the scanned range. */
  record Result(Problem problem, int index) {
    static final Result CLEAN = new Result(Problem.NONE, -1);
  }

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long LINE_FEEDS = 0x0a0a0a0a0a0a0a0aL;

  private Utf8Scan() {}

  /**
   * Finds the first byte that may not appear in a frame: invalid UTF-8 (RFC 3629: no overlong forms, surrogates or
   * code points above U+10FFFF), NUL, a line feed unless {@code lineFeedAllowed}, or a leading BOM.
   */
  static Result firstProblem(byte[] b, int off, int len, boolean lineFeedAllowed) {
    if (len >= 3 && b[off] == (byte) 0xef && b[off + 1] == (byte) 0xbb && b[off + 2] == (byte) 0xbf) {
      return new Result(Problem.BYTE_ORDER_MARK, 0);
    }
    int i = off;
    int end = off + len;
    while (i < end) {
      // Fast path: eight bytes at a time while they are all plain ASCII other than NUL and LF.
      while (i + 8 <= end) {
        long v = (long) LONGS.get(b, i);
        long lf = v ^ LINE_FEEDS;
        if (((v | (v - ONES) | (lf - ONES) & ~lf) & HIGHS) != 0) {
          break;
        }
        i += 8;
      }
      if (i >= end) {
        break;
      }
      int c = b[i] & 0xff;
      if (c < 0x80) {
        if (c == 0) {
          return new Result(Problem.NUL, i - off);
        }
        if (c == '\n' && !lineFeedAllowed) {
          return new Result(Problem.LINE_FEED, i - off);
        }
        i++;
        continue;
      }
      int n = sequenceLength(b, i, end);
      if (n < 0) {
        return new Result(Problem.INVALID_UTF8, i - off);
      }
      i += n;
    }
    return Result.CLEAN;
  }

  /** Length of the well-formed multi-byte sequence at {@code i}, or -1 (Unicode table 3-7). */
  static int sequenceLength(byte[] b, int i, int end) {
    int c = b[i] & 0xff;
    int n;
    int lo = 0x80;
    int hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 3;
      if (c == 0xe0) {
        lo = 0xa0;
      } else if (c == 0xed) {
        hi = 0x9f;
      }
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4;
      if (c == 0xf0) {
        lo = 0x90;
      } else if (c == 0xf4) {
        hi = 0x8f;
      }
    } else {
      return -1;
    }
    if (i + n > end) {
      return -1;
    }
    int second = b[i + 1] & 0xff;
    if (second < lo || second > hi) {
      return -1;
    }
    for (int k = 2; k < n; k++) {
      if ((b[i + k] & 0xc0) != 0x80) {
        return -1;
      }
    }
    return n;
  }
}
