package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.handleWebSocketMessages;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import io.sensorfleet.sdk.UiIdentityVerifier;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * An Instrument's UI as the proxy meets it: a Pekko HTTP server on loopback TCP behind a unix socket, the way LXD's
 * proxy device puts a container's UI port behind {@code <runtime-root>/ui/<id>.sock}. It checks the signed identity
 * with the SDK's verifier ({@code /whoami} answers {@code user role}, 401 and the reason otherwise), echoes
 * WebSocket text frames on {@code /echo} (upgrades need the identity too) and refuses upgrades on {@code /no-ws}.
 */
final class FakeInstrumentUi implements AutoCloseable {

  private final ServerBinding binding;
  private final ServerSocketChannel bridge;
  private final java.util.concurrent.atomic.AtomicInteger requests;

  private FakeInstrumentUi(ServerBinding binding, ServerSocketChannel bridge,
      java.util.concurrent.atomic.AtomicInteger requests) {
    this.binding = binding;
    this.bridge = bridge;
    this.requests = requests;
  }

  /** How many requests reached it. */
  int requests() {
    return requests.get();
  }

  static FakeInstrumentUi start(ActorSystem<?> system, Path socket, UiIdentityVerifier verifier) throws Exception {
    var requests = new java.util.concurrent.atomic.AtomicInteger();
    Route route = extractRequest(request -> {
      requests.incrementAndGet();
      var result = verifier.verify(request.method().value(), rawTarget(request),
          name -> request.getHeader(name).map(h -> h.value()));
      if (result instanceof UiIdentityVerifier.Refused(String reason)) {
        return complete(StatusCodes.UNAUTHORIZED, reason);
      }
      var who = (UiIdentityVerifier.Verified) result;
      return concat(
          path("echo", () -> handleWebSocketMessages(Flow.<Message>create()
              .map(m -> (Message) TextMessage.create(who.user() + ": " + m.asTextMessage().getStrictText())))),
          path("no-ws", () -> complete(StatusCodes.FORBIDDEN, "no websockets here")),
          complete(who.user() + " " + who.role()));
    });
    ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0)
        .withSettings(ServerSettings.create(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system)).withRawRequestUriHeader(true))
        .bind(route).toCompletableFuture().get(10, TimeUnit.SECONDS);
    Files.createDirectories(socket.getParent());
    Files.deleteIfExists(socket);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    int port = binding.localAddress().getPort();
    Thread.ofVirtual().start(() -> {
      while (server.isOpen()) {
        try {
          SocketChannel in = server.accept();
          SocketChannel out = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
          Thread.ofVirtual().start(() -> copy(in, out));
          Thread.ofVirtual().start(() -> copy(out, in));
        } catch (IOException e) {
          return;
        }
      }
    });
    return new FakeInstrumentUi(binding, server, requests);
  }

  /** The request target as the UI received it on the wire. */
  private static String rawTarget(HttpRequest request) {
    return request.getHeader("Raw-Request-URI").map(h -> h.value()).orElseThrow();
  }

  private static void copy(SocketChannel from, SocketChannel to) {
    ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
    try (from) {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          to.write(buffer);
        }
        buffer.clear();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      try {
        to.close();
      } catch (IOException ignored) {
        // Already closed.
      }
    }
  }

  @Override
  public void close() throws Exception {
    bridge.close();
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
