package io.sensorfleet.actors.channel;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * One accepted connection on a {@link BusSocket}, with the peer identity read at accept time. Reads and writes block,
 * and must run on platform threads (the channel's io dispatcher): junixsocket 2.11.1 busy-polls a read blocked on a
 * virtual thread, so calling them from one is refused rather than burning a core. {@link #tryWrite} never blocks and
 * may run on any thread. {@link #close()} may be called from any thread, any number of times; it wakes a blocked read
 * or write, which then fails.
 */
public final class BusConnection implements AutoCloseable {

  private final AFUNIXSocketChannel channel;
  private final PeerIdentity peer;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Bytes written per system call at most when several frames go out together. */
  static final int GATHER_BYTES = 256 * 1024;
  private static final int MIN_GATHER_BYTES = 4096;
  /** Where {@link #write} gathers frames; allocated by the first write, used under this object's lock. */
  private ByteBuffer gather;
  /**
   * Held by {@link #tryWrite} around its use of the descriptor's number and by {@link #close()}: the number is never
   * closed, and so never handed to another Instrument's new socket, under a {@code send}. Never held while blocking.
   */
  private final Object descriptorLock = new Object();
  /** Guarded by {@link #descriptorLock}: the descriptor's number (-1 until the first {@link #tryWrite}), its buffer. */
  private int descriptor = -1;
  private ByteBuffer tryGather;
  private NonBlockingSend send;

  BusConnection(AFUNIXSocketChannel channel, PeerIdentity peer) {
    this.channel = channel;
    this.peer = peer;
  }

  public PeerIdentity peer() {
    return peer;
  }

  /** Blocks until some bytes arrive; -1 at the end of the stream. */
  public int read(ByteBuffer into) throws IOException {
    requirePlatformThread();
    return channel.read(into);
  }

  /**
   * Blocks until all of {@code buffers} is written, in order. Several buffers are copied into one direct buffer of
   * this connection and written together, up to {@link #GATHER_BYTES} per system call: junixsocket 2.11.1 has no
   * gathering write (its {@code write(ByteBuffer[])} writes the first buffer only), and a system call per frame was
   * about two thirds of the bus benchmark's kernel time (docs/benchmarks.md). Writes of one connection are
   * serialized.
   */
  public synchronized void write(Iterable<ByteBuffer> buffers) throws IOException {
    requirePlatformThread();
    gather = sized(gather, buffers);
    ByteBuffer out = gather.clear();
    for (ByteBuffer buffer : buffers) {
      while (buffer.hasRemaining()) {
        if (!out.hasRemaining()) {
          drain(out);
        }
        int n = Math.min(buffer.remaining(), out.remaining());
        out.put(out.position(), buffer, buffer.position(), n);
        out.position(out.position() + n);
        buffer.position(buffer.position() + n);
      }
    }
    drain(out);
  }

  /**
   * Writes what the socket takes now of {@code buffers}, in order, without blocking, and advances their positions
   * past what was written: all of it unless the Instrument's receive buffer filled up. At most
   * {@link #GATHER_BYTES} per call. Must not overlap a {@link #write} of this connection (the caller serializes
   * them), or frames could go out of order. Throws when the connection is closed or broken.
   */
  public void tryWrite(List<ByteBuffer> buffers) throws IOException {
    synchronized (descriptorLock) {
      if (closed.get()) {
        throw new IOException("connection closed");
      }
      if (descriptor < 0) {
        descriptor = FileDescriptorCast.using(channel.getFileDescriptor()).as(Integer.class);
        send = new NonBlockingSend();
      }
      tryGather = sized(tryGather, buffers);
      ByteBuffer out = tryGather.clear();
      for (ByteBuffer buffer : buffers) {
        int n = Math.min(buffer.remaining(), out.remaining());
        out.put(out.position(), buffer, buffer.position(), n);
        out.position(out.position() + n);
      }
      out.flip();
      long sent = send.send(descriptor, MemorySegment.ofBuffer(out));
      for (ByteBuffer buffer : buffers) {
        int n = (int) Math.min(sent, buffer.remaining());
        buffer.position(buffer.position() + n);
        sent -= n;
      }
    }
  }

  /**
   * {@code gather}, or a bigger direct buffer if it cannot hold all of {@code buffers} (up to {@link #GATHER_BYTES}):
   * it grows, doubling, to what this connection's writes need, so a quiet Instrument's connection holds little.
   */
  private static ByteBuffer sized(ByteBuffer gather, Iterable<ByteBuffer> buffers) {
    long total = 0;
    for (ByteBuffer buffer : buffers) {
      total += buffer.remaining();
    }
    int wanted = (int) Math.min(total, GATHER_BYTES);
    if (gather != null && gather.capacity() >= wanted) {
      return gather;
    }
    int doubled = gather == null ? MIN_GATHER_BYTES : Math.min(GATHER_BYTES, 2 * gather.capacity());
    return ByteBuffer.allocateDirect(Math.max(wanted, doubled));
  }

  /** Writes what {@code out} holds, blocking until all of it is out, and clears it. */
  private void drain(ByteBuffer out) throws IOException {
    out.flip();
    while (out.hasRemaining()) {
      channel.write(out);
    }
    out.clear();
  }

  public boolean isOpen() {
    return !closed.get();
  }

  /** Shuts the socket down both ways and closes it; never throws. */
  @Override
  public void close() {
    synchronized (descriptorLock) {
      if (closed.compareAndSet(false, true)) {
        try {
          channel.close();
        } catch (IOException | RuntimeException e) {
          // Nothing to do: the descriptor is gone either way, and the peer sees the end of the stream.
        }
      }
    }
  }

  private static void requirePlatformThread() {
    if (Thread.currentThread().isVirtual()) {
      throw new IllegalStateException("BusConnection I/O must run on a platform thread (the channel io dispatcher)");
    }
  }
}
