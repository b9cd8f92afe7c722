package io.sensorfleet.lxd.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.ClientTransport;
import org.apache.pekko.http.javadsl.OutgoingConnection;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * A Pekko HTTP client transport that ignores the request's host and port and connects every connection to one
 * unix socket, so that {@code http://lxd/1.0/...} reaches the daemon and {@code http://instrument/...} an
 * Instrument's UI. Pekko's TCP layer has no unix-socket address and Pekko Connectors is not available, so each
 * connection is a {@link UnixConnectionStage}: a non-blocking JDK unix {@code SocketChannel} read and written by
 * the stage itself, woken by the actor system's one {@link UnixSelector} thread when it would otherwise wait.
 */
public final class UnixSocketTransport extends ClientTransport {

  /** The largest chunk one read passes on (as Pekko's TCP: {@code pekko.io.tcp.direct-buffer-size}). */
  static final int READ_BUFFER = 64 * 1024;

  private final Path socket;

  public UnixSocketTransport(Path socket) {
    this.socket = socket;
  }

  public Path socket() {
    return socket;
  }

  @Override
  public Flow<ByteString, ByteString, CompletionStage<OutgoingConnection>> connectTo(
      String host, int port, ClientConnectionSettings settings, ActorSystem system) {
    return Flow.fromGraph(new UnixConnectionStage(socket, UnixSelector.ID.get(system), READ_BUFFER,
        Duration.ofNanos(settings.getConnectingTimeout().toNanos())));
  }
}
