package io.sensorfleet.actors.channel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * {@code send(2)} with {@code MSG_DONTWAIT} on a socket descriptor, through the FFM API: a write that takes what the
 * socket's buffer has room for now and never blocks, whatever the descriptor's own mode. junixsocket 2.11.1 has no
 * such call (a channel is blocking or not for all its operations), and the channel's reader blocks in {@code read}.
 * Not thread-safe: one per connection, used under the connection's descriptor lock.
 */
final class NonBlockingSend {

  private static final int MSG_DONTWAIT = 0x40;
  private static final int MSG_NOSIGNAL = 0x4000;
  private static final int EINTR = 4;
  private static final int EAGAIN = 11;  // = EWOULDBLOCK on Linux
  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final MethodHandle SEND = LINKER.downcallHandle(
      LINKER.defaultLookup().find("send").orElseThrow(),
      FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
      Linker.Option.captureCallState("errno"));

  private final MemorySegment callState = Arena.ofAuto().allocate(CALL_STATE);

  /**
   * Sends from {@code data} (a native segment) as much as the socket takes now. Returns the bytes sent: 0 when its
   * buffer is full. Throws on any other failure (the peer is gone, the descriptor is closed).
   */
  long send(int fd, MemorySegment data) throws IOException {
    while (true) {
      long n;
      try {
        n = (long) SEND.invokeExact(callState, fd, data, data.byteSize(), MSG_DONTWAIT | MSG_NOSIGNAL);
      } catch (Throwable t) {
        throw new IllegalStateException("send(2) through FFM failed", t);
      }
      if (n >= 0) {
        return n;
      }
      int errno = (int) ERRNO.get(callState, 0L);
      if (errno == EAGAIN) {
        return 0;
      }
      if (errno != EINTR) {
        throw new IOException("send failed: errno " + errno);
      }
    }
  }
}
