package io.sensorfleet.sdk.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.sensorfleet.core.protocol.DecodeResult;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.FrameCodec;
import io.sensorfleet.core.protocol.Handshake;
import io.sensorfleet.core.protocol.LineReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The platform's side of an Instrument's socket, for tests: a real unix-socket server on a short temporary path,
 * speaking the protocol with {@link FrameCodec}, scripted by the test. Every frame the Instrument sends is queued in
 * order on its {@link Link}, and the test takes them with {@link Link#expect}, which waits at most {@link #TIMEOUT}.
 */
public final class FakePlatform implements AutoCloseable {

  /** How long any expectation waits before the test fails. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static final FrameCodec CODEC = FrameCodec.standard();

  private final Path directory;
  private final Path socket;
  private final BlockingQueue<Link> accepted = new LinkedBlockingQueue<>();
  private final List<Link> links = new ArrayList<>();
  private ServerSocketChannel server;

  private FakePlatform(Path directory) {
    this.directory = directory;
    this.socket = directory.resolve("bus.sock");
  }

  /** A platform listening on a fresh socket under /tmp (unix socket paths must stay short). */
  public static FakePlatform start() {
    FakePlatform platform = notListening();
    platform.listen();
    return platform;
  }

  /** A platform whose socket does not exist yet: the Instrument finds nothing until {@link #listen()}. */
  public static FakePlatform notListening() {
    try {
      return new FakePlatform(Files.createTempDirectory(Path.of("/tmp"), "sf"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The socket path to give the Instrument. */
  public Path socket() {
    return socket;
  }

  /** Starts accepting connections (again) on {@link #socket()}. */
  public synchronized void listen() {
    try {
      Files.deleteIfExists(socket);
      ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      channel.bind(UnixDomainSocketAddress.of(socket));
      server = channel;
      Thread.ofVirtual().name("fake-platform-accept").start(() -> acceptLoop(channel));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops accepting and removes the socket file, as a platform that went away; open links stay open. */
  public synchronized void stopListening() {
    try {
      if (server != null) {
        server.close();
        server = null;
      }
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void acceptLoop(ServerSocketChannel channel) {
    try {
      while (true) {
        Link link = new Link(channel.accept());
        synchronized (this) {
          links.add(link);
        }
        accepted.add(link);
      }
    } catch (ClosedChannelException e) {
      // stopListening() or close()
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next connection from the Instrument. */
  public Link accept() {
    try {
      Link link = accepted.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(link, "the Instrument did not connect within " + TIMEOUT);
      return link;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Accepts the next connection and completes the handshake without a configuration. */
  public Link acceptAndWelcome() {
    Link link = accept();
    link.welcome(Optional.empty());
    return link;
  }

  /** True if the Instrument connects within {@code wait}; for checking that it does not. */
  public boolean connectsWithin(Duration wait) throws InterruptedException {
    return accepted.poll(wait.toMillis(), TimeUnit.MILLISECONDS) != null;
  }

  @Override
  public synchronized void close() {
    stopListening();
    links.forEach(Link::close);
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One connection from the Instrument. */
  public static final class Link implements AutoCloseable {

    /** What the Instrument sent: a frame, a line the codec refused, or the end of the stream. */
    public sealed interface Received {}

    public record Got(Frame frame) implements Received {}

    public record Bad(DecodeResult.Rejected rejected) implements Received {}

    public record Closed() implements Received {}

    private final SocketChannel channel;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    private Link(SocketChannel channel) {
      this.channel = channel;
      Thread.ofVirtual().name("fake-platform-read").start(this::readLoop);
    }

    private void readLoop() {
      LineReader reader = LineReader.of(channel, CODEC.limits().maxFrameBytes());
      try {
        while (true) {
          if (!(reader.read() instanceof LineReader.Line line)) {
            break;
          }
          received.add(switch (CODEC.decode(line.bytes())) {
            case DecodeResult.Decoded d -> new Got(d.frame());
            case DecodeResult.Rejected r -> new Bad(r);
          });
        }
      } catch (IOException e) {
        // closed by either side
      }
      received.add(new Closed());
    }

    /** The next thing the Instrument sent, waiting at most {@link #TIMEOUT}. */
    public Received next() {
      try {
        Received next = received.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(next, "the Instrument sent nothing within " + TIMEOUT);
        return next;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    /** The next frame, which must be a {@code type}. */
    public <T extends Frame> T expect(Class<T> type) {
      Received next = next();
      if (next instanceof Got(Frame frame)) {
        return assertInstanceOf(type, frame, "the Instrument sent another frame than expected");
      }
      return fail("expected a " + type.getSimpleName() + " frame, got " + next);
    }

    /** Waits until the Instrument closes the connection, failing on any frame before that. */
    public void expectClosed() {
      Received next = next();
      assertInstanceOf(Closed.class, next, "expected the connection to close");
    }

    /** Nothing arrives within {@code wait}; for checking that the Instrument does not answer. */
    public Optional<Received> nextWithin(Duration wait) throws InterruptedException {
      return Optional.ofNullable(received.poll(wait.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Takes the {@code hello} and answers {@code welcome}, with {@code config} if given. */
    public Frame.Hello welcome(Optional<Frame.AcceptedConfig> config) {
      Frame.Hello hello = expect(Frame.Hello.class);
      send(new Frame.Welcome(hello.id(), Handshake.CURRENT_VERSION, hello.instrument(), config));
      return hello;
    }

    public void send(Frame frame) {
      write(CODEC.encode(frame));
    }

    /** Sends bytes as they are, e.g. a malformed line (include the {@code \n}). */
    public void sendRaw(String text) {
      write(text.getBytes(StandardCharsets.UTF_8));
    }

    public void sendRaw(byte[] bytes) {
      write(bytes);
    }

    private synchronized void write(byte[] bytes) {
      try {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The request id a test expects the Instrument to echo; asserts the answer does. */
    public static void assertAnswers(String id, Frame answer) {
      assertEquals(Optional.of(id), answer.inReplyTo(), "the answer must echo the request's id as re");
    }

    @Override
    public void close() {
      try {
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
