package io.sensorfleet.lxd.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.OutgoingConnection;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link UnixConnectionStage} against real unix-socket servers (blocking JDK channels on virtual threads). */
class UnixConnectionStageTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  static ActorSystem system;
  @TempDir Path dir;

  @BeforeAll
  static void startSystem() {
    system = ActorSystem.create("unix-connection-test");
  }

  @AfterAll
  static void stopSystem() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connection(Path socket) {
    return Flow.fromGraph(new UnixConnectionStage(socket, UnixSelector.ID.get(system), 64 * 1024, WAIT));
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void aLargeBodyComesBackWholeAndTheStreamEndsWhenThePeerDoes() throws Exception {
    try (var server = UnixServer.start(dir.resolve("echo.sock"), UnixServer::echo)) {
      byte[] body = new byte[8 * 1024 * 1024];
      new Random(1).nextBytes(body);
      List<ByteString> chunks = new ArrayList<>();
      for (int i = 0; i < body.length; i += 100_000) {
        chunks.add(ByteString.fromArray(body, i, Math.min(100_000, body.length - i)));
      }
      ByteString back = await(Source.from(chunks).via(connection(server.path()))
          .runFold(ByteString.emptyByteString(), ByteString::concat, system));
      assertArrayEquals(body, back.toArray());
    }
  }

  @Test
  void manyConcurrentConnectionsEachGetTheirOwnAnswer() throws Exception {
    try (var server = UnixServer.start(dir.resolve("many.sock"), UnixServer::echo)) {
      List<CompletableFuture<String>> answers = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String message = ("connection " + i + " ").repeat(500);
        answers.add(Source.single(ByteString.fromString(message)).via(connection(server.path()))
            .runFold(ByteString.emptyByteString(), ByteString::concat, system)
            .thenApply(ByteString::utf8String).toCompletableFuture());
      }
      for (int i = 0; i < answers.size(); i++) {
        assertEquals(("connection " + i + " ").repeat(500), await(answers.get(i)));
      }
    }
  }

  @Test
  void thePeerClosingEndsTheDownstreamWhileTheUpstreamIsStillOpen() throws Exception {
    try (var server = UnixServer.start(dir.resolve("bye.sock"), client -> UnixServer.write(client, "bye"))) {
      String answer = await(Source.<ByteString>maybe().via(connection(server.path()))
          .runFold(ByteString.emptyByteString(), ByteString::concat, system)).utf8String();
      assertEquals("bye", answer);
    }
  }

  @Test
  void theUpstreamEndingShutsTheOutputDownButKeepsReading() throws Exception {
    // The server answers only after our end of file: the read side must survive the write side's end.
    try (var server = UnixServer.start(dir.resolve("eof.sock"), client -> {
      long n = UnixServer.drain(client);
      UnixServer.write(client, "got " + n);
    })) {
      String answer = await(Source.single(ByteString.fromString("12345")).via(connection(server.path()))
          .runFold(ByteString.emptyByteString(), ByteString::concat, system)).utf8String();
      assertEquals("got 5", answer);
    }
  }

  @Test
  void theDownstreamCancellingClosesTheConnection() throws Exception {
    var peerSawEnd = new CompletableFuture<Long>();
    try (var server = UnixServer.start(dir.resolve("cancel.sock"), client -> {
      UnixServer.write(client, "hello");
      peerSawEnd.complete(UnixServer.drain(client));
    })) {
      ByteString first = await(Source.<ByteString>maybe().via(connection(server.path())).runWith(Sink.head(), system));
      assertEquals("hello", first.utf8String());
      assertEquals(0L, await(peerSawEnd));
    }
  }

  @Test
  void aSlowReaderHoldsTheSenderBack() throws Exception {
    long total = 32L * 1024 * 1024;
    var written = new AtomicLong();
    var sent = new CompletableFuture<Void>();
    try (var server = UnixServer.start(dir.resolve("slow.sock"), client -> {
      ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
      while (written.get() < total) {
        chunk.clear();
        while (chunk.hasRemaining()) {
          written.addAndGet(UnixServer.writeSome(client, chunk));
        }
      }
      sent.complete(null);
    })) {
      Pair<CompletionStage<OutgoingConnection>, SinkQueueWithCancel<ByteString>> ends = Source.<ByteString>maybe()
          .viaMat(connection(server.path()), Keep.right())
          .toMat(Sink.<ByteString>queue().withAttributes(Attributes.inputBuffer(1, 1)), Keep.both())
          .run(system);
      SinkQueueWithCancel<ByteString> queue = ends.second();
      Optional<ByteString> first = await(queue.pull());
      assertTrue(first.isPresent());
      // Nobody reads on: the sender is stuck at what the socket buffers and the stages hold, far below 32 MiB.
      assertThrows(TimeoutException.class, () -> sent.get(1, TimeUnit.SECONDS));
      assertTrue(written.get() < 8L * 1024 * 1024, "written before backpressure: " + written.get());
      long received = first.get().size();
      for (Optional<ByteString> next = await(queue.pull()); received < total; next = await(queue.pull())) {
        received += next.orElseThrow().size();
      }
      assertEquals(total, received);
      await(sent);
      queue.cancel();
    }
  }

  @Test
  void noSocketFileFailsTheConnectionNamingThePath() {
    Path missing = dir.resolve("missing.sock");
    var connected = Source.<ByteString>maybe().viaMat(connection(missing), Keep.right()).to(Sink.ignore()).run(system);
    var failure = assertThrows(ExecutionException.class, () -> await(connected));
    assertInstanceOf(ConnectException.class, failure.getCause());
    assertTrue(failure.getCause().getMessage().contains(missing.toString()), failure.getCause().getMessage());
  }

  @Test
  void aSocketNobodyListensOnIsRefused() throws Exception {
    Path stale = dir.resolve("stale.sock");
    UnixServer.start(stale, UnixServer::echo).close(); // the file stays, the listener is gone
    var done = Source.<ByteString>maybe().via(connection(stale)).runWith(Sink.ignore(), system);
    var failure = assertThrows(ExecutionException.class, () -> await(done));
    assertInstanceOf(ConnectException.class, failure.getCause());
    assertTrue(failure.getCause().getMessage().contains("refused"), failure.getCause().getMessage());
  }

  @Test
  void anUpstreamFailureClosesTheConnection() throws Exception {
    var peerSawEnd = new CompletableFuture<Long>();
    try (var server = UnixServer.start(dir.resolve("fail.sock"), client -> peerSawEnd.complete(UnixServer.drain(client)))) {
      var done = Source.<ByteString>failed(new IllegalStateException("boom")).via(connection(server.path()))
          .runWith(Sink.ignore(), system);
      assertThrows(ExecutionException.class, () -> await(done));
      assertEquals(0L, await(peerSawEnd));
    }
  }

  /** A blocking unix-socket server: one virtual thread per accepted client, running {@code handler}. */
  private record UnixServer(Path path, ServerSocketChannel channel, Thread acceptor) implements AutoCloseable {

    interface Handler {
      void handle(SocketChannel client) throws IOException;
    }

    static UnixServer start(Path path, Handler handler) throws IOException {
      var channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      channel.bind(UnixDomainSocketAddress.of(path), 512);
      Thread acceptor = Thread.ofVirtual().start(() -> {
        while (channel.isOpen()) {
          try {
            SocketChannel client = channel.accept();
            Thread.ofVirtual().start(() -> {
              try (client) {
                handler.handle(client);
              } catch (IOException e) {
                // The client went away: that is for the test to see, not the server.
              }
            });
          } catch (IOException e) {
            return;
          }
        }
      });
      return new UnixServer(path, channel, acceptor);
    }

    static void echo(SocketChannel client) throws IOException {
      ByteBuffer buffer = ByteBuffer.allocate(32 * 1024);
      while (client.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          client.write(buffer);
        }
        buffer.clear();
      }
    }

    static void write(SocketChannel client, String text) throws IOException {
      ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (buffer.hasRemaining()) {
        client.write(buffer);
      }
    }

    static int writeSome(SocketChannel client, ByteBuffer buffer) throws IOException {
      return client.write(buffer);
    }

    /** Reads until the peer's end of file; the byte count. */
    static long drain(SocketChannel client) throws IOException {
      ByteBuffer buffer = ByteBuffer.allocate(32 * 1024);
      long n = 0;
      for (int r; (r = client.read(buffer)) >= 0; buffer.clear()) {
        n += r;
      }
      return n;
    }

    /**
     * Closes the listener and waits for the acceptor to leave accept(): while a thread is blocked in it, NIO defers
     * the socket's actual close until that thread leaves, so a connect in between would still be accepted (and then
     * reset) instead of refused.
     */
    @Override
    public void close() throws IOException {
      channel.close();
      try {
        acceptor.join(java.time.Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("waiting for the acceptor to stop");
      }
    }
  }
}
