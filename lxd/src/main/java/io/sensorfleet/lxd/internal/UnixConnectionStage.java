package io.sensorfleet.lxd.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.OutgoingConnection;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * One client connection to a unix socket as a flow of bytes: what flows in is written to the socket, what the socket
 * answers flows out. The channel is a non-blocking JDK {@link SocketChannel}; the stage reads and writes it itself
 * (on its stream's dispatcher) and asks the {@link UnixSelector} to be called back only when a read or write would
 * wait. Materializes to the connection, completed once connected or failed with an {@link IOException} naming the
 * socket.
 *
 * <p>Semantics, as Pekko's TCP with half-close: the upstream completing shuts the socket's output down (after what
 * was pushed is written), the peer shutting its output down completes the downstream, and the stage ends when both
 * have happened; the downstream cancelling closes the connection; an upstream failure or an I/O error closes it and
 * fails the stage. Backpressure: one element is pulled at a time and the next only once it is written; a read
 * happens only when the downstream asks.
 */
public final class UnixConnectionStage
    extends AbstractGraphStageWithMaterializedValue<FlowShape<ByteString, ByteString>, CompletionStage<OutgoingConnection>> {

  private static final InetSocketAddress NOWHERE = InetSocketAddress.createUnresolved("unix-socket", 0);
  private static final String CONNECT_TIMEOUT = "connect-timeout";

  private final Inlet<ByteString> in = Inlet.create("UnixConnection.in");
  private final Outlet<ByteString> out = Outlet.create("UnixConnection.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final Path socket;
  private final UnixSelector selector;
  private final int readBufferBytes;
  private final Duration connectTimeout;

  /**
   * @param readBufferBytes the largest chunk one read passes on
   * @param connectTimeout  how long a connect that would wait (the listener's backlog full) may take
   */
  public UnixConnectionStage(Path socket, UnixSelector selector, int readBufferBytes, Duration connectTimeout) {
    this.socket = socket;
    this.selector = selector;
    this.readBufferBytes = readBufferBytes;
    this.connectTimeout = connectTimeout;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, CompletionStage<OutgoingConnection>> createLogicAndMaterializedValuePair(
      Attributes attributes) {
    var connected = new CompletableFuture<OutgoingConnection>();
    return Pair.create(new Logic(connected), connected);
  }

  private final class Logic extends TimerGraphStageLogic {
    private final CompletableFuture<OutgoingConnection> connected;
    private SocketChannel channel;
    private UnixSelector.Registration registration;
    private ByteBuffer readBuffer;
    private boolean isConnected;
    /** What is being written; null when nothing is. */
    private ByteBuffer pending;
    private boolean readWaiting;
    private boolean outputShut;
    private boolean inputDone;

    Logic(CompletableFuture<OutgoingConnection> connected) {
      super(shape);
      this.connected = connected;
      setHandler(in, new AbstractInHandler() {
        @Override
        public void onPush() {
          pending = grab(in).asByteBuffer();
          flush();
        }

        @Override
        public void onUpstreamFinish() {
          if (pending == null && isConnected) {
            shutdownOutput();
          }
        }

        @Override
        public void onUpstreamFailure(Throwable cause) {
          failStage(cause);
        }
      });
      setHandler(out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          if (isConnected) {
            read();
          }
        }

        @Override
        public void onDownstreamFinish(Throwable cause) {
          completeStage();
        }
      });
    }

    @Override
    public void preStart() {
      setKeepGoing(true); // both directions' ends decide together when the connection is over (maybeFinish)
      AsyncCallback<Integer> ready = createAsyncCallback(this::ready);
      try {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.configureBlocking(false);
        registration = selector.register(channel, ready::invoke);
        if (channel.connect(UnixDomainSocketAddress.of(socket))) {
          onConnected();
        } else {
          scheduleOnce(CONNECT_TIMEOUT, connectTimeout);
          registration.arm(SelectionKey.OP_CONNECT);
        }
      } catch (IOException | RuntimeException e) {
        connectFailed(e);
      }
    }

    @Override
    public void onTimer(Object key) {
      if (!isConnected) {
        connectFailed(new IOException("timed out after " + connectTimeout.toMillis() + " ms"));
      }
    }

    private void ready(int ops) {
      if ((ops & SelectionKey.OP_CONNECT) != 0 && !isConnected) {
        try {
          if (channel.finishConnect()) {
            cancelTimer(CONNECT_TIMEOUT);
            onConnected();
          } else {
            registration.arm(SelectionKey.OP_CONNECT);
          }
        } catch (IOException e) {
          connectFailed(e);
        }
        return;
      }
      if ((ops & SelectionKey.OP_WRITE) != 0 && pending != null) {
        flush();
      }
      if ((ops & SelectionKey.OP_READ) != 0 && readWaiting) {
        readWaiting = false;
        read();
      }
    }

    private void onConnected() {
      isConnected = true;
      readBuffer = ByteBuffer.allocateDirect(readBufferBytes);
      connected.complete(new OutgoingConnection(
          new org.apache.pekko.http.scaladsl.Http.OutgoingConnection(NOWHERE, NOWHERE)));
      if (isClosed(in)) {
        shutdownOutput();
      } else {
        pull(in);
      }
      if (isAvailable(out)) {
        read();
      }
    }

    private void connectFailed(Exception cause) {
      var failure = new ConnectException("cannot connect to " + socket + ": " + cause.getMessage());
      failure.initCause(cause);
      connected.completeExceptionally(failure);
      failStage(failure);
    }

    private void read() {
      if (readWaiting || inputDone) {
        return;
      }
      try {
        readBuffer.clear();
        int n = channel.read(readBuffer);
        if (n > 0) {
          readBuffer.flip();
          push(out, ByteString.fromByteBuffer(readBuffer));
        } else if (n == 0) {
          readWaiting = true;
          registration.arm(SelectionKey.OP_READ);
        } else {
          inputDone = true;
          complete(out);
          maybeFinish();
        }
      } catch (IOException e) {
        failStage(e);
      }
    }

    private void flush() {
      try {
        channel.write(pending);
        if (pending.hasRemaining()) {
          registration.arm(SelectionKey.OP_WRITE);
          return;
        }
        pending = null;
        if (isClosed(in)) {
          shutdownOutput();
        } else {
          pull(in);
        }
      } catch (IOException e) {
        failStage(e);
      }
    }

    private void shutdownOutput() {
      if (outputShut) {
        return;
      }
      outputShut = true;
      try {
        channel.shutdownOutput();
      } catch (IOException e) {
        // The peer has gone: the read side ends (or fails) on its own.
      }
      maybeFinish();
    }

    private void maybeFinish() {
      if (inputDone && outputShut) {
        completeStage();
      }
    }

    @Override
    public void postStop() {
      if (registration != null) {
        registration.close();
      } else if (channel != null) {
        try {
          channel.close();
        } catch (IOException e) {
          // Nothing left to release.
        }
      }
      if (!connected.isDone()) {
        connected.completeExceptionally(new ConnectException("connection to " + socket + " abandoned"));
      }
    }
  }
}
