package io.sensorfleet.http.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Logged-in sessions: a random 256-bit token (the bearer token and the cookie's value) per login. Only the token's
 * SHA-256 is kept, so the table does not hold usable credentials. A session ends when unused for
 * {@code session-idle}, {@code session-max} after login, on logout, or when its user is deleted or gets a new
 * password. Held in memory (bounded by Caffeine): a sensor restart logs everyone out, on purpose.
 */
public final class Sessions {

  /** One session: whose, and when it must end whatever its use. */
  public record Session(String user, Instant expiresAt) {}

  /** One SHA-256 engine per thread, instead of a provider look-up for every request that shows a token. */
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  });
  private final SecureRandom random = new SecureRandom();
  private final Cache<String, Session> byDigest;
  private final AuthSettings settings;
  private final Clock clock;

  public Sessions(AuthSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    Ticker ticker = () -> clock.millis() * 1_000_000L;
    this.byDigest = Caffeine.newBuilder()
        // Housekeeping in the calling thread: on the common pool it was a thread wake-up per few requests.
        .executor(Runnable::run)
        .ticker(ticker)
        .expireAfterAccess(settings.sessionIdle())
        .maximumSize(settings.maxSessions())
        .build();
  }

  /** Opens a session for {@code user}; returns its token, shown to the client once. */
  public String open(String user) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    byDigest.put(digest(token), new Session(user, clock.instant().plus(settings.sessionMax())));
    return token;
  }

  /** The live session of {@code token}, if any. */
  public Optional<Session> find(String token) {
    String key = digest(token);
    Session session = byDigest.getIfPresent(key);
    if (session != null && !clock.instant().isBefore(session.expiresAt())) {
      byDigest.invalidate(key);
      return Optional.empty();
    }
    return Optional.ofNullable(session);
  }

  public void close(String token) {
    byDigest.invalidate(digest(token));
  }

  /** Ends every session of {@code user} (deleted, or a new password). */
  public void closeAll(String user) {
    byDigest.asMap().values().removeIf(s -> s.user().equals(user));
  }

  private static String digest(String token) {
    return HexFormat.of().formatHex(SHA_256.get().digest(token.getBytes(StandardCharsets.UTF_8)));
  }
}
