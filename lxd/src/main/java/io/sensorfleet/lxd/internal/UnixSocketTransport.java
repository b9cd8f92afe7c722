package io.sensorfleet.lxd.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.ClientTransport;
import org.apache.pekko.http.javadsl.OutgoingConnection;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A Pekko HTTP client transport that ignores the request's host and port and connects every connection to one
 * unix socket, so that {@code http://lxd/1.0/...} reaches the daemon. Pekko has no unix-socket transport (and
 * Pekko Connectors is not available), and the JDK has no asynchronous unix-socket channel, so each connection is
 * a blocking {@link SocketChannel} whose reads and writes run on {@code io}, never on a Pekko dispatcher.
 */
public final class UnixSocketTransport extends ClientTransport {

  private static final int READ_BUFFER = 64 * 1024;
  private static final InetSocketAddress NOWHERE = InetSocketAddress.createUnresolved("unix-socket", 0);

  private final Path socket;
  private final Executor io;

  /** @param io where blocking socket calls run: virtual threads, or a dedicated pool with a thread per connection */
  public UnixSocketTransport(Path socket, Executor io) {
    this.socket = socket;
    this.io = io;
  }

  public Path socket() {
    return socket;
  }

  @Override
  public Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connectTo(
      String host, int port, ClientConnectionSettings settings, ActorSystem system) {
    return Flow.fromMaterializer((mat, attributes) -> connection())
        .mapMaterializedValue(connected -> connected.thenCompose(c -> c));
  }

  /** One connection: opened when materialized, closed when the read side ends or is cancelled. */
  private Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connection() {
    CompletableFuture<Connection> opened = CompletableFuture.supplyAsync(this::open, io);
    Sink<ByteString, NotUsed> writes = Flow.<ByteString>create()
        .mapAsync(1, bytes -> opened.thenApplyAsync(c -> c.write(bytes), io))
        .to(Sink.onComplete(done -> opened.thenAcceptAsync(Connection::shutdownOutput, io)));
    Source<ByteString, NotUsed> reads = Source.unfoldResourceAsync(
        () -> opened,
        c -> CompletableFuture.supplyAsync(c::read, io),
        c -> CompletableFuture.supplyAsync(c::close, io));
    return Flow.fromSinkAndSource(writes, reads)
        .mapMaterializedValue(notUsed -> opened.thenApply(
            c -> new OutgoingConnection(new org.apache.pekko.http.scaladsl.Http.OutgoingConnection(NOWHERE, NOWHERE))));
  }

  private Connection open() {
    try {
      SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      try {
        channel.connect(UnixDomainSocketAddress.of(socket));
      } catch (IOException e) {
        channel.close();
        throw e;
      }
      return new Connection(channel);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to " + socket + ": " + e.getMessage(), e);
    }
  }

  /**
   * The channel and its read buffer. Reads are sequential (one pending read at a time) and so are writes,
   * which is all a blocking channel needs; JDK 25 lets one read and one write proceed concurrently.
   */
  private record Connection(SocketChannel channel, ByteBuffer buffer) {

    Connection(SocketChannel channel) {
      this(channel, ByteBuffer.allocate(READ_BUFFER));
    }

    Optional<ByteString> read() {
      try {
        buffer.clear();
        int n = channel.read(buffer);
        return n < 0 ? Optional.empty() : Optional.of(ByteString.fromArray(buffer.array(), 0, n));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    Done write(ByteString bytes) {
      try {
        ByteBuffer out = bytes.asByteBuffer();
        while (out.hasRemaining()) {
          channel.write(out);
        }
        return Done.done();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void shutdownOutput() {
      try {
        if (channel.isOpen()) {
          channel.shutdownOutput();
        }
      } catch (IOException e) {
        // The peer has gone already; the read side will end.
      }
    }

    Done close() {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing left to release.
      }
      return Done.done();
    }
  }
}
