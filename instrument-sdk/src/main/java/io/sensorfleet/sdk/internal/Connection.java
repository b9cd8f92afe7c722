package io.sensorfleet.sdk.internal;

import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.FrameCodec;
import io.sensorfleet.core.protocol.LineReader;
import io.sensorfleet.sdk.NotConnectedException;
import io.sensorfleet.sdk.RefusedException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection to the platform: the socket, the write lock that keeps frames whole when callbacks and the app's
 * threads write at once, and the requests waiting for their {@code ack} or {@code error}. Reading is the connection
 * thread's alone. Closing fails every waiting request, since its answer can no longer arrive.
 */
public final class Connection implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("io.sensorfleet.sdk");

  private final SocketChannel channel;
  private final FrameCodec codec;
  private final LineReader reader;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();

  private Connection(SocketChannel channel, FrameCodec codec) {
    this.channel = channel;
    this.codec = codec;
    this.reader = LineReader.of(channel, codec.limits().maxFrameBytes());
  }

  /** Connects to the platform's socket, blocking; fails at once if it is missing or nobody listens. */
  public static Connection open(Path socket, FrameCodec codec) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
      return new Connection(channel, codec);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The next line from the platform; only the connection thread calls this. */
  public LineReader.Result read() throws IOException {
    return reader.read();
  }

  /**
   * Writes one frame whole. A failed write may have sent part of a frame, after which the stream cannot be trusted,
   * so the connection is closed.
   *
   * @throws IllegalArgumentException if the frame is over the frame size limit (a payload too large)
   */
  public void write(Frame frame) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(codec.encode(frame));
    writeLock.lock();
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      close();
      throw e;
    } finally {
      writeLock.unlock();
    }
  }

  /** {@link #write}, for answers whose loss only the platform notices (it times out): false if not sent. */
  public boolean writeQuietly(Frame frame) {
    try {
      write(frame);
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, () -> "could not send " + frame.type().wireName() + ": " + Texts.describe(e));
      return false;
    }
  }

  /**
   * Sends a request and returns what its answer will do: complete on {@code ack}, fail with {@link RefusedException}
   * on {@code error}, with {@link java.util.concurrent.TimeoutException} after {@code timeout}, with
   * {@link NotConnectedException} if the connection closes first. Completed on the connection thread (or the JDK's
   * timer): callers hand it to the app through another thread.
   */
  public CompletableFuture<Void> request(String id, Frame frame, Duration timeout) {
    CompletableFuture<Void> answer = new CompletableFuture<>();
    // Registered before writing: the answer may come before write() returns.
    pending.put(id, answer);
    answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, e) -> pending.remove(id, answer));
    try {
      write(frame);
    } catch (IOException e) {
      answer.completeExceptionally(new NotConnectedException("could not send " + frame.type().wireName() + ": "
          + Texts.describe(e)));
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
    }
    return answer;
  }

  /** The platform acknowledged request {@code re}; false if nothing waits for it (e.g. it timed out). */
  public boolean acknowledged(String re) {
    CompletableFuture<Void> answer = pending.remove(re);
    return answer != null && answer.complete(null);
  }

  /** The platform refused request {@code error.re()}; false if nothing waits for it. */
  public boolean refused(Frame.Error error) {
    CompletableFuture<Void> answer = error.re().map(pending::remove).orElse(null);
    return answer != null && answer.completeExceptionally(new RefusedException(error));
  }

  public boolean isOpen() {
    return channel.isOpen();
  }

  /** Closes the socket (a blocked read returns with an exception) and fails the waiting requests. Idempotent. */
  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, () -> "closing the socket: " + Texts.describe(e));
    }
    for (var entry : pending.entrySet()) {
      if (pending.remove(entry.getKey(), entry.getValue())) {
        entry.getValue().completeExceptionally(
            new NotConnectedException("the connection closed before the platform answered"));
      }
    }
  }
}
