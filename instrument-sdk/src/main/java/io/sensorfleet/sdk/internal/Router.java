package io.sensorfleet.sdk.internal;

import io.sensorfleet.core.protocol.DecodeResult;
import io.sensorfleet.core.protocol.ErrorCode;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.sdk.BusEvent;
import io.sensorfleet.sdk.ConfigDecision;
import io.sensorfleet.sdk.ConfigUpdate;
import io.sensorfleet.sdk.Health;
import io.sensorfleet.sdk.RetentionResult;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What to do with each frame the platform sends once the handshake is done: answers to our requests complete them
 * here, on the connection thread; everything for the app is queued to the {@link Dispatcher}, whose task writes the
 * answer on the connection the frame came from (never on a later one, where its {@code id} means nothing).
 */
final class Router {

  private static final System.Logger LOG = System.getLogger("io.sensorfleet.sdk");
  private static final Pattern ERROR_TYPE = Pattern.compile("\"type\"\\s*:\\s*\"error\"");

  private final Callbacks callbacks;
  private final Dispatcher dispatcher;

  Router(Callbacks callbacks, Dispatcher dispatcher) {
    this.callbacks = callbacks;
    this.dispatcher = dispatcher;
  }

  /** Handles one frame; returns how the connection ends, or null to keep reading. */
  Outcome route(Connection conn, Frame frame) {
    switch (frame) {
      case Frame.Config c -> dispatcher.submit("onConfig", () -> applyConfig(conn, c));
      case Frame.HealthQuery q -> dispatcher.submit("onHealthQuery", () -> answerHealth(conn, q));
      case Frame.RetentionEnforce r -> dispatcher.submit("onRetention", () -> answerRetention(conn, r));
      case Frame.Deliver d -> dispatcher.submit("onMessage", () -> callbacks.message().accept(d.from(), d.payload()));
      case Frame.Event e -> dispatcher.submit("onEvent", () -> callbacks.event().accept(
          new BusEvent(e.topic(), e.from(), e.audience(), e.occurredAt(), e.payload())));
      case Frame.ResourceAvailable r -> dispatcher.submit("onResourceAvailable", () -> callbacks.resource().accept(r));
      case Frame.Ack a -> {
        if (!conn.acknowledged(a.re())) {
          LOG.log(Level.DEBUG, () -> "ack for no waiting request (timed out?): " + Texts.forLog(a.re()));
        }
      }
      case Frame.Error e -> {
        return onError(conn, e);
      }
      case Frame.Bye b -> {
        return new Outcome.PlatformBye(b.reason());
      }
      case Frame.Welcome _ -> unexpected(conn, frame, "the handshake is already done");
      case Frame.Hello _, Frame.ConfigAck _, Frame.ConfigReject _, Frame.HealthReport _, Frame.RetentionReport _,
          Frame.Send _, Frame.Publish _, Frame.Subscribe _, Frame.Unsubscribe _ ->
          unexpected(conn, frame, "'" + frame.type().wireName() + "' is sent by Instruments, not by the platform");
    }
    return null;
  }

  /**
   * Answers a line that did not decode, as protocol.md section 10 asks of both ends, except when the line looks like
   * an {@code error} frame itself: an error is never answered, and the decoder does not say which type a refused
   * line had (the search for {@code "type":"error"} may also match inside a payload; not answering is always safe).
   */
  void answerRejected(Connection conn, byte[] line, DecodeResult.Rejected rejected) {
    LOG.log(Level.WARNING, () -> "the platform sent a bad frame (" + rejected.code().wireName() + ": "
        + Texts.forLog(rejected.message()) + "): " + Texts.forLog(line));
    if (!ERROR_TYPE.matcher(new String(line, StandardCharsets.ISO_8859_1)).find()) {
      conn.writeQuietly(rejected.toErrorFrame());
    }
  }

  /** Answers a frame the platform should not send now with {@code unexpected-frame}, unless it is an error. */
  void unexpected(Connection conn, Frame frame, String why) {
    LOG.log(Level.WARNING, () -> "unexpected " + frame.type().wireName() + " frame from the platform: " + why);
    if (!(frame instanceof Frame.Error)) {
      conn.writeQuietly(Frame.Error.of(ErrorCode.UNEXPECTED_FRAME, why, frame.correlationId()));
    }
  }

  private Outcome onError(Connection conn, Frame.Error error) {
    if (error.knownCode().equals(Optional.of(ErrorCode.IDENTITY_MISMATCH))) {
      return new Outcome.IdentityRefused(error);
    }
    if (conn.refused(error)) {
      return null;
    }
    if (error.knownCode().map(ErrorCode::fatal).orElse(false)) {
      LOG.log(Level.ERROR, () -> "fatal error from the platform, which closes the connection: " + describe(error));
    }
    dispatcher.submit("onError", () -> callbacks.error().accept(error));
    return null;
  }

  private void applyConfig(Connection conn, Frame.Config config) {
    ConfigDecision decision = decide(new ConfigUpdate(config.version(), config.config(), false));
    conn.writeQuietly(switch (decision) {
      case ConfigDecision.Accept _ -> new Frame.ConfigAck(config.id(), config.version());
      case ConfigDecision.Reject r -> new Frame.ConfigReject(config.id(), config.version(), Texts.fit(r.reason()));
    });
  }

  /** The configuration that came with {@code welcome}: applied, but not answered (it was accepted before). */
  void applyRestored(Frame.AcceptedConfig accepted) {
    if (decide(new ConfigUpdate(accepted.version(), accepted.config(), true)) instanceof ConfigDecision.Reject r) {
      LOG.log(Level.WARNING, () -> "the Instrument rejected its last accepted configuration (version "
          + accepted.version() + "), which the platform still records as current: " + r.reason());
    }
  }

  private ConfigDecision decide(ConfigUpdate update) {
    try {
      return Objects.requireNonNull(callbacks.config().apply(update), "the onConfig callback returned null");
    } catch (Exception e) {
      LOG.log(Level.WARNING, () -> "the onConfig callback failed: " + Texts.describe(e), e);
      return ConfigDecision.reject("the Instrument's configuration handler failed: " + Texts.describe(e));
    }
  }

  private void answerHealth(Connection conn, Frame.HealthQuery query) {
    Health health;
    try {
      health = Objects.requireNonNull(callbacks.health().get(), "the onHealthQuery callback returned null");
    } catch (Exception e) {
      LOG.log(Level.WARNING, () -> "the onHealthQuery callback failed: " + Texts.describe(e), e);
      health = Health.failed("the Instrument's health check failed: " + Texts.describe(e));
    }
    conn.writeQuietly(report(Optional.of(query.id()), health));
  }

  static Frame.HealthReport report(Optional<String> re, Health health) {
    return new Frame.HealthReport(re, health.status(), Texts.fit(health.detail()), health.metrics());
  }

  private void answerRetention(Connection conn, Frame.RetentionEnforce enforce) {
    RetentionResult result;
    try {
      result = Objects.requireNonNull(callbacks.retention().apply(enforce.cutoff()),
          "the onRetention callback returned null");
    } catch (Exception e) {
      LOG.log(Level.WARNING, () -> "the onRetention callback failed: " + Texts.describe(e), e);
      result = RetentionResult.nothingDeleted("retention failed, some data may have been deleted: "
          + Texts.describe(e));
    }
    conn.writeQuietly(new Frame.RetentionReport(enforce.id(), enforce.cutoff(), result.deletedFiles(),
        result.deletedBytes(), result.remainingBytes(), Texts.fit(result.notes())));
  }

  static String describe(Frame.Error error) {
    return error.code() + error.re().map(re -> " (re " + re + ")").orElse("") + ": " + Texts.forLog(error.message());
  }
}
