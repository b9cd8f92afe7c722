package io.sensorfleet.sdk;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.UiSignature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Checks who Fleet Management says is calling an Instrument's UI. The platform's UI proxy is the only way to a UI;
 * on every request it sets {@code X-SensorFleet-User}, {@code -Role}, {@code -Instrument}, {@code -Timestamp} and
 * {@code -Signature} (HMAC-SHA256 with this Instrument's UI key over those, the method and the request target;
 * {@link UiSignature}). The key is a file the platform writes beside the bus socket before the container starts
 * ({@code /run/sensorfleet/ui-identity.key}, readable by the Instrument's user only).
 *
 * <p>A request is {@link Verified} only when every header is there, names this Instrument, carries a timestamp within
 * {@code maxSkew} of now and a signature over exactly this method and target; anything else is {@link Refused} with
 * the reason. Within {@code maxSkew} a captured request could be replayed by whoever captured it, which on the UI
 * socket is only root on the host.
 *
 * <pre>{@code
 * var identity = UiIdentityVerifier.fromEnvironment(System.getenv()).orElseThrow();
 * switch (identity.verify(exchange.getRequestMethod(), target, name -> header(exchange, name))) {
 *   case UiIdentityVerifier.Verified v -> serve(v.user(), v.role());
 *   case UiIdentityVerifier.Refused r -> answer401(r.reason());
 * }
 * }</pre>
 */
public final class UiIdentityVerifier {

  /** How far a signature's timestamp may be from the Instrument's clock, by default. */
  public static final Duration DEFAULT_MAX_SKEW = Duration.ofSeconds(60);

  /** The result of {@link #verify}. */
  public sealed interface Result permits Verified, Refused {}

  /** The platform signed this request for {@code user} with {@code role} ({@code admin}, {@code operator}, ...). */
  public record Verified(String user, String role) implements Result {}

  /** Not signed by the platform for this request: {@code reason} says why (never the key or the signature). */
  public record Refused(String reason) implements Result {}

  private final byte[] key;
  private final InstrumentId self;
  private final Duration maxSkew;
  private final Clock clock;

  private UiIdentityVerifier(byte[] key, InstrumentId self, Duration maxSkew, Clock clock) {
    if (key.length < UiSignature.KEY_BYTES) {
      throw new IllegalArgumentException("a UI key has at least " + UiSignature.KEY_BYTES + " bytes");
    }
    if (maxSkew.isNegative() || maxSkew.isZero()) {
      throw new IllegalArgumentException("maxSkew must be positive: " + maxSkew);
    }
    this.key = key.clone();
    this.self = Objects.requireNonNull(self, "self");
    this.maxSkew = maxSkew;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A verifier with a key in hand (tests, or an Instrument that keeps its key elsewhere). */
  public static UiIdentityVerifier of(byte[] key, InstrumentId self, Duration maxSkew, Clock clock) {
    return new UiIdentityVerifier(key, self, maxSkew, clock);
  }

  /** Reads the key from {@code keyFile}. */
  public static UiIdentityVerifier fromKeyFile(Path keyFile, InstrumentId self, Duration maxSkew, Clock clock)
      throws IOException {
    return new UiIdentityVerifier(Files.readAllBytes(keyFile), self, maxSkew, clock);
  }

  /**
   * The verifier for the Instrument the platform started: its id from {@code SENSORFLEET_INSTRUMENT}, its key from
   * {@code ui-identity.key} in the directory of {@code SENSORFLEET_BUS} (default {@code /run/sensorfleet/}); empty
   * when there is no key file (no UI in the manifest, or not run by the platform).
   *
   * @throws IOException if the key file is there but cannot be read
   * @throws IllegalStateException if {@code SENSORFLEET_INSTRUMENT} is not set
   */
  public static Optional<UiIdentityVerifier> fromEnvironment(Map<String, String> environment) throws IOException {
    Path bus = Optional.ofNullable(environment.get(InstrumentClient.ENV_BUS)).map(Path::of)
        .orElse(InstrumentClient.DEFAULT_BUS);
    Path keyFile = bus.resolveSibling(UiSignature.KEY_FILE);
    if (!Files.exists(keyFile)) {
      return Optional.empty();
    }
    String id = Optional.ofNullable(environment.get(InstrumentClient.ENV_INSTRUMENT))
        .orElseThrow(() -> new IllegalStateException(InstrumentClient.ENV_INSTRUMENT + " is not set"));
    return Optional.of(fromKeyFile(keyFile, InstrumentId.of(id), DEFAULT_MAX_SKEW, Clock.systemUTC()));
  }

  /**
   * Whether the platform signed this request.
   *
   * @param method the request's method ({@code GET})
   * @param target the request target as received: raw path, and {@code ?} raw query when there is one
   * @param header the request's headers by name (case-insensitive, first value)
   */
  public Result verify(String method, String target, Function<String, Optional<String>> header) {
    Optional<String> user = header.apply(UiSignature.USER_HEADER);
    Optional<String> role = header.apply(UiSignature.ROLE_HEADER);
    Optional<String> instrument = header.apply(UiSignature.INSTRUMENT_HEADER);
    Optional<String> timestamp = header.apply(UiSignature.TIMESTAMP_HEADER);
    Optional<String> signature = header.apply(UiSignature.SIGNATURE_HEADER);
    if (user.isEmpty() || role.isEmpty() || instrument.isEmpty() || timestamp.isEmpty() || signature.isEmpty()) {
      return new Refused("no signed identity (the request did not come through Fleet Management)");
    }
    if (!instrument.get().equals(self.value())) {
      return new Refused("signed for another Instrument");
    }
    Instant at;
    try {
      at = Instant.ofEpochSecond(Long.parseLong(timestamp.get()));
    } catch (RuntimeException e) {
      return new Refused("malformed timestamp");
    }
    if (Duration.between(at, clock.instant()).abs().compareTo(maxSkew) > 0) {
      return new Refused("stale or future timestamp (more than " + maxSkew.toSeconds() + " s off)");
    }
    UiSignature signed;
    try {
      signed = new UiSignature(user.get(), role.get(), self, method, target, at);
    } catch (IllegalArgumentException e) {
      return new Refused("malformed identity");
    }
    return signed.verify(key, signature.get()) ? new Verified(user.get(), role.get())
        : new Refused("bad signature");
  }
}
