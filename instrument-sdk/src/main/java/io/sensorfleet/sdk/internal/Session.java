package io.sensorfleet.sdk.internal;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Audience;
import io.sensorfleet.core.protocol.DecodeResult;
import io.sensorfleet.core.protocol.ErrorCode;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.FrameCodec;
import io.sensorfleet.core.protocol.Handshake;
import io.sensorfleet.core.protocol.LineReader;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.protocol.Topic;
import io.sensorfleet.sdk.ClientState;
import io.sensorfleet.sdk.Health;
import io.sensorfleet.sdk.NotConnectedException;
import io.sensorfleet.sdk.RefusedException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine behind {@link io.sensorfleet.sdk.InstrumentClient}: one connection thread that connects, handshakes,
 * reads and reconnects with backoff; the bus calls; and the client's state. The state, the current connection and
 * the subscriptions are guarded by one lock, so a subscription made while a handshake completes is neither lost nor
 * sent twice.
 */
public final class Session {

  private static final System.Logger LOG = System.getLogger("io.sensorfleet.sdk");

  /** The handshake's result: a welcome, or how the connection ended. */
  private sealed interface Step {}

  private record Welcomed(Frame.Welcome welcome) implements Step {}

  private record Ended(Outcome outcome) implements Step {}

  private final Settings settings;
  private final Callbacks callbacks;
  private final FrameCodec codec = FrameCodec.standard();
  private final Dispatcher dispatcher;
  private final Router router;
  private final AtomicLong ids = new AtomicLong();
  /** Completes the app's stages off the connection thread, so app code chained on them never stalls reading. */
  private final Executor completions = task -> Thread.ofVirtual().name("sensorfleet-sdk-completion").start(task);
  private final CountDownLatch closedLatch = new CountDownLatch(1);

  private final Object lock = new Object();
  // Guarded by lock.
  private ClientState state = ClientState.CONNECTING;
  private Connection current;
  private boolean ready;
  private final Subscriptions subscriptions = new Subscriptions();

  private Session(Settings settings, Callbacks callbacks) {
    this.settings = settings;
    this.callbacks = callbacks;
    this.dispatcher = new Dispatcher(settings.callbackQueue());
    this.router = new Router(callbacks, dispatcher);
  }

  /** Starts connecting in the background and returns at once. */
  public static Session start(Settings settings, Callbacks callbacks) {
    Session session = new Session(settings, callbacks);
    Thread.ofVirtual().name("sensorfleet-sdk-connection").start(session::run);
    return session;
  }

  public InstrumentId instrument() {
    return settings.instrument();
  }

  public ClientState state() {
    synchronized (lock) {
      return state;
    }
  }

  // ---- The bus ----

  public boolean send(InstrumentId to, RawJson payload) {
    String id = nextId("m");
    return write(new Frame.Send(Optional.of(id), to, false, payload));
  }

  public CompletionStage<Void> sendWithAck(InstrumentId to, RawJson payload) {
    String id = nextId("m");
    return request(id, new Frame.Send(Optional.of(id), to, true, payload));
  }

  public boolean publish(Topic topic, Audience audience, RawJson payload) {
    return write(new Frame.Publish(Optional.of(nextId("p")), topic, audience, payload));
  }

  public boolean reportHealth(Health health) {
    return write(Router.report(Optional.empty(), health));
  }

  public CompletionStage<Void> subscribe(Topic topic) {
    Connection conn;
    synchronized (lock) {
      if (state == ClientState.CLOSED) {
        return CompletableFuture.failedStage(new NotConnectedException("the client is closed"));
      }
      subscriptions.want(topic);
      if (!ready) {
        return forApp(subscriptions.waitFor(topic));
      }
      conn = current;
    }
    return forApp(subscribeOn(conn, topic, false));
  }

  public CompletionStage<Void> unsubscribe(Topic topic) {
    Connection conn;
    CompletableFuture<Void> waiter;
    synchronized (lock) {
      if (state == ClientState.CLOSED) {
        return CompletableFuture.failedStage(new NotConnectedException("the client is closed"));
      }
      waiter = subscriptions.drop(topic);
      conn = ready ? current : null;
    }
    if (waiter != null) {
      waiter.completeExceptionally(new CancellationException("unsubscribed from " + topic + " before subscribing"));
    }
    if (conn == null) {
      // A new connection starts without subscriptions, and this topic is no longer wanted.
      return CompletableFuture.completedStage(null);
    }
    String id = nextId("u");
    return forApp(conn.request(id, new Frame.Unsubscribe(id, topic), settings.requestTimeout()));
  }

  private CompletableFuture<Void> subscribeOn(Connection conn, Topic topic, boolean again) {
    String id = nextId("s");
    CompletableFuture<Void> answer = conn.request(id, new Frame.Subscribe(id, topic), settings.requestTimeout());
    answer.whenComplete((v, e) -> subscribed(topic, again, e == null ? null : unwrap(e)));
    return answer;
  }

  /** Settles a waiter; a refused topic is forgotten, a lost or unanswered one is tried again on the next connection. */
  private void subscribed(Topic topic, boolean again, Throwable failure) {
    CompletableFuture<Void> waiter;
    synchronized (lock) {
      if (failure == null) {
        waiter = subscriptions.answered(topic);
      } else if (failure instanceof RefusedException) {
        waiter = subscriptions.drop(topic);
      } else {
        return;
      }
    }
    if (waiter != null) {
      completeLater(waiter, failure);
    } else if (again && failure instanceof RefusedException refused) {
      // Nobody waits for a renewed subscription: tell the app through onError.
      dispatcher.submit("onError", () -> callbacks.error().accept(refused.error()));
    }
  }

  private boolean write(Frame frame) {
    Connection conn = readyConnection();
    return conn != null && conn.writeQuietly(frame);
  }

  private CompletionStage<Void> request(String id, Frame frame) {
    Connection conn = readyConnection();
    if (conn == null) {
      return CompletableFuture.failedStage(new NotConnectedException("not connected to the platform (" + state()
          + ")"));
    }
    return forApp(conn.request(id, frame, settings.requestTimeout()));
  }

  private Connection readyConnection() {
    synchronized (lock) {
      return ready ? current : null;
    }
  }

  private String nextId(String prefix) {
    return prefix + ids.incrementAndGet();
  }

  /** A stage for the app, completed on a thread of its own, with the cause unwrapped. */
  private CompletionStage<Void> forApp(CompletableFuture<Void> internal) {
    CompletableFuture<Void> external = new CompletableFuture<>();
    internal.whenComplete((v, e) -> completeLater(external, e == null ? null : unwrap(e)));
    return external.minimalCompletionStage();
  }

  private void completeLater(CompletableFuture<Void> future, Throwable failure) {
    completions.execute(() -> {
      if (failure == null) {
        future.complete(null);
      } else {
        future.completeExceptionally(failure);
      }
    });
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  // ---- Closing ----

  /** Sends {@code bye} if the handshake is done, closes, never reconnects. Idempotent; safe from a callback. */
  public void close() {
    Connection conn;
    synchronized (lock) {
      if (state == ClientState.CLOSED) {
        return;
      }
      conn = ready ? current : null;
    }
    if (conn != null) {
      conn.writeQuietly(new Frame.Bye("closed by the Instrument"));
    }
    finish();
  }

  public void awaitClosed() throws InterruptedException {
    closedLatch.await();
  }

  public boolean awaitClosed(Duration timeout) throws InterruptedException {
    return closedLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Moves to CLOSED once: closes the socket, fails what waits, stops the callback thread, releases awaitClosed. */
  private void finish() {
    Connection conn;
    List<CompletableFuture<Void>> waiters;
    synchronized (lock) {
      if (state == ClientState.CLOSED) {
        return;
      }
      conn = current;
      current = null;
      ready = false;
      waiters = subscriptions.clearWaiting();
      changeState(ClientState.CLOSED);
    }
    if (conn != null) {
      conn.close();
    }
    waiters.forEach(w -> completeLater(w, new NotConnectedException("the client closed")));
    dispatcher.close();
    closedLatch.countDown();
  }

  /** Called with the lock held, so listeners see the transitions in order. */
  private void changeState(ClientState next) {
    if (state == next) {
      return;
    }
    state = next;
    try {
      callbacks.stateChange().accept(next);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, () -> "the onStateChange callback failed: " + Texts.describe(e), e);
    }
  }

  // ---- The connection thread ----

  private void run() {
    int failures = 0;
    boolean unreachableLogged = false;
    while (true) {
      Outcome outcome = connectOnce();
      switch (outcome) {
        case Outcome.Stopped _ -> {
          return;
        }
        case Outcome.PlatformBye _, Outcome.IdentityRefused _ -> {
          finish();
          return;
        }
        case Outcome.Retry retry -> {
          synchronized (lock) {
            if (state == ClientState.CLOSED) {
              return;
            }
            ready = false;
            changeState(ClientState.CONNECTING);
          }
          if (retry.wasReady()) {
            failures = 0;
            unreachableLogged = false;
            LOG.log(Level.WARNING, () -> "lost the platform: " + retry.why() + "; reconnecting");
          } else if (!unreachableLogged) {
            unreachableLogged = true;
            LOG.log(Level.WARNING, () -> retry.why() + "; retrying with backoff (further failures: DEBUG)");
          } else {
            LOG.log(Level.DEBUG, retry::why);
          }
          Duration delay = settings.backoff().delay(failures, ThreadLocalRandom.current().nextDouble());
          failures = Math.min(failures + 1, 1000);
          try {
            if (closedLatch.await(delay.toNanos(), TimeUnit.NANOSECONDS)) {
              return;
            }
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }
  }

  private Outcome connectOnce() {
    Connection conn;
    try {
      conn = Connection.open(settings.bus(), codec);
    } catch (IOException | RuntimeException e) {
      return new Outcome.Retry("cannot connect to the platform at " + settings.bus() + ": " + Texts.describe(e), false);
    }
    synchronized (lock) {
      if (state == ClientState.CLOSED) {
        conn.close();
        return new Outcome.Stopped();
      }
      current = conn;
    }
    try {
      Outcome outcome = serve(conn);
      switch (outcome) {
        case Outcome.PlatformBye bye -> {
          LOG.log(Level.INFO, () -> "the platform closes the connection: " + Texts.forLog(bye.reason()));
          shutDown(bye.reason());
          conn.writeQuietly(new Frame.Bye("shutting down as asked"));
        }
        case Outcome.IdentityRefused refused -> {
          LOG.log(Level.ERROR, () -> "the platform refused this Instrument's identity '" + settings.instrument()
              + "' (" + Router.describe(refused.error()) + "); not reconnecting");
          shutDown("identity-mismatch: " + refused.error().message());
        }
        default -> {}
      }
      return outcome;
    } finally {
      conn.close();
      synchronized (lock) {
        if (current == conn) {
          current = null;
          ready = false;
        }
      }
    }
  }

  /** Runs the shutdown callback after the callbacks already queued, and waits for it (or for the client closing). */
  private void shutDown(String reason) {
    dispatcher.submit("onShutdown", () -> callbacks.shutdown().accept(reason))
        .handle((v, e) -> null)
        .join();
  }

  private Outcome serve(Connection conn) {
    return switch (handshake(conn)) {
      case Ended ended -> ended.outcome();
      case Welcomed welcomed -> {
        welcomed.welcome().config().ifPresent(
            accepted -> dispatcher.submit("onConfig", () -> router.applyRestored(accepted)));
        List<Topic> topics;
        synchronized (lock) {
          if (state == ClientState.CLOSED) {
            yield new Outcome.Stopped();
          }
          ready = true;
          changeState(ClientState.READY);
          topics = subscriptions.wanted();
        }
        LOG.log(Level.DEBUG, () -> "connected to the platform, protocol version " + welcomed.welcome().version());
        topics.forEach(topic -> subscribeOn(conn, topic, true));
        yield readLoop(conn);
      }
    };
  }

  private Step handshake(Connection conn) {
    String helloId = nextId("h");
    AtomicBoolean answered = new AtomicBoolean();
    AtomicBoolean timedOut = new AtomicBoolean();
    // A blocking read has no timeout of its own: closing the socket ends it.
    CompletableFuture.delayedExecutor(settings.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
      if (!answered.get() && timedOut.compareAndSet(false, true)) {
        conn.close();
      }
    });
    try {
      conn.write(new Frame.Hello(helloId, Handshake.SUPPORTED_VERSIONS, settings.instrument(), settings.software()));
      while (true) {
        switch (conn.read()) {
          case LineReader.Line line -> {
            Step step = onHandshakeLine(conn, helloId, line.bytes());
            if (step != null) {
              return step;
            }
          }
          case LineReader.TooLarge tooLarge -> {
            return new Ended(tooLarge(conn, tooLarge, false));
          }
          case LineReader.EndOfStream _, LineReader.EndOfStreamMidLine _ -> {
            return retry("the platform closed the connection during the handshake", false);
          }
        }
      }
    } catch (IOException e) {
      return timedOut.get()
          ? retry("no welcome within " + settings.handshakeTimeout(), false)
          : retry("the handshake failed: " + Texts.describe(e), false);
    } finally {
      answered.set(true);
    }
  }

  private Step onHandshakeLine(Connection conn, String helloId, byte[] line) {
    switch (codec.decode(line)) {
      case DecodeResult.Rejected rejected -> router.answerRejected(conn, line, rejected);
      case DecodeResult.Decoded(Frame.Welcome welcome) when welcome.re().equals(helloId) -> {
        if (!Handshake.SUPPORTED_VERSIONS.contains(welcome.version())) {
          return retry("the platform chose protocol version " + welcome.version() + ", which this SDK does not speak "
              + Handshake.SUPPORTED_VERSIONS, false);
        }
        if (!welcome.instrument().equals(settings.instrument())) {
          LOG.log(Level.WARNING, () -> "the platform welcomed '" + welcome.instrument() + "', we said we are '"
              + settings.instrument() + "'");
        }
        return new Welcomed(welcome);
      }
      case DecodeResult.Decoded(Frame.Error error) -> {
        if (error.knownCode().equals(Optional.of(ErrorCode.IDENTITY_MISMATCH))) {
          return new Ended(new Outcome.IdentityRefused(error));
        }
        boolean fatal = error.knownCode().map(ErrorCode::fatal).orElse(false);
        if (fatal || error.re().equals(Optional.of(helloId))) {
          LOG.log(fatal ? Level.ERROR : Level.WARNING, () -> "the platform refused hello: " + Router.describe(error));
          return retry("the platform refused hello: " + Router.describe(error), false);
        }
        LOG.log(Level.WARNING, () -> "error from the platform during the handshake: " + Router.describe(error));
      }
      case DecodeResult.Decoded(Frame.Bye bye) -> {
        return retry("the platform said bye during the handshake: " + Texts.forLog(bye.reason()), false);
      }
      case DecodeResult.Decoded(Frame frame) -> router.unexpected(conn, frame, "the handshake is not finished");
    }
    return null;
  }

  private Outcome readLoop(Connection conn) {
    try {
      while (true) {
        switch (conn.read()) {
          case LineReader.Line line -> {
            Outcome outcome = switch (codec.decode(line.bytes())) {
              case DecodeResult.Rejected rejected -> {
                router.answerRejected(conn, line.bytes(), rejected);
                yield rejected.fatal() ? new Outcome.Retry("bad frame: " + rejected.code().wireName(), true) : null;
              }
              case DecodeResult.Decoded decoded -> router.route(conn, decoded.frame());
            };
            if (outcome != null) {
              return outcome;
            }
          }
          case LineReader.TooLarge tooLarge -> {
            return tooLarge(conn, tooLarge, true);
          }
          case LineReader.EndOfStream _ -> {
            return new Outcome.Retry("the platform closed the connection", true);
          }
          case LineReader.EndOfStreamMidLine _ -> {
            return new Outcome.Retry("the platform closed the connection in the middle of a frame", true);
          }
        }
      }
    } catch (IOException e) {
      return new Outcome.Retry("connection lost: " + Texts.describe(e), true);
    }
  }

  /** The platform sent a line over the limit: fatal (protocol.md section 2), answered, then closed. */
  private static Outcome tooLarge(Connection conn, LineReader.TooLarge tooLarge, boolean wasReady) {
    conn.writeQuietly(Frame.Error.of(ErrorCode.FRAME_TOO_LARGE,
        "frame is longer than the limit of " + tooLarge.limit() + " bytes", Optional.empty()));
    return new Outcome.Retry("the platform sent a frame over " + tooLarge.limit() + " bytes", wasReady);
  }

  private static Ended retry(String why, boolean wasReady) {
    return new Ended(new Outcome.Retry(why, wasReady));
  }
}
