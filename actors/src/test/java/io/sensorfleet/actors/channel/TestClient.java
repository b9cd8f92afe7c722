package io.sensorfleet.actors.channel;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.DecodeResult;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.FrameCodec;
import io.sensorfleet.core.protocol.FrameLimits;
import io.sensorfleet.core.protocol.LineReader;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A blocking Instrument for tests: a JDK unix socket, the core codec, and a bounded wait on every read. */
final class TestClient implements AutoCloseable {

  static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

  private final SocketChannel channel;
  private final LineReader reader;
  private final FrameCodec codec = FrameCodec.standard();
  private final ExecutorService readThread = Executors.newSingleThreadExecutor();

  private TestClient(SocketChannel channel) {
    this.channel = channel;
    this.reader = LineReader.of(channel, FrameLimits.DEFAULT.maxFrameBytes());
  }

  static TestClient connect(Path socket) throws IOException {
    return new TestClient(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
  }

  /** Connects and completes the handshake as {@code id}; returns the client after reading its welcome. */
  static TestClient handshake(Path socket, InstrumentId id) throws IOException {
    TestClient client = connect(socket);
    client.send(hello(id));
    assertInstanceOf(Frame.Welcome.class, client.read());
    return client;
  }

  static Frame.Hello hello(InstrumentId id) {
    return new Frame.Hello("h1", List.of(1), id, "test-client/1");
  }

  SocketChannel channel() {
    return channel;
  }

  void send(Frame frame) throws IOException {
    write(codec.encode(frame));
  }

  void sendLine(String line) throws IOException {
    write((line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  void write(byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  /** The next frame, failing the test if none comes within {@link #READ_TIMEOUT} or the connection ends. */
  Frame read() {
    LineReader.Result result = next();
    if (!(result instanceof LineReader.Line line)) {
      return fail("expected a frame, got " + result);
    }
    DecodeResult decoded = codec.decode(line.bytes());
    if (!(decoded instanceof DecodeResult.Decoded frame)) {
      return fail("the platform sent a bad frame: " + decoded);
    }
    return frame.frame();
  }

  /** The next frame, which must be an error with this code. */
  Frame.Error readError(String code) {
    Frame.Error error = assertInstanceOf(Frame.Error.class, read());
    if (!error.code().equals(code)) {
      fail("expected error " + code + ", got " + error);
    }
    return error;
  }

  /** The platform closed the connection: end of stream, or a reset because our last bytes were left unread. */
  void assertClosed() {
    LineReader.Result result;
    try {
      result = readThread.submit(reader::read).get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException) {
        return;
      }
      throw new AssertionError(e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("the connection was not closed within " + READ_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    if (!(result instanceof LineReader.EndOfStream)) {
      fail("expected the end of the connection, got " + result);
    }
  }

  private LineReader.Result next() {
    Future<LineReader.Result> pending = readThread.submit(reader::read);
    try {
      return pending.get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("reading failed", e.getCause());
    } catch (TimeoutException e) {
      pending.cancel(true);
      throw new AssertionError("no frame within " + READ_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() throws IOException {
    readThread.shutdownNow();
    channel.close();
  }
}
