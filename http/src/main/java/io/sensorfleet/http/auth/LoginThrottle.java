package io.sensorfleet.http.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Limits failed logins per user name and per source address: after {@code per-user} (or {@code per-source})
 * failures within the window, further attempts are refused until the oldest of them leaves the window, whether
 * the password is right or not. Keys are bounded (Caffeine), so a flood of names cannot exhaust memory.
 */
public final class LoginThrottle {

  private final Cache<String, Deque<Instant>> failures;
  private final AuthSettings settings;
  private final Clock clock;

  public LoginThrottle(AuthSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.failures = Caffeine.newBuilder()
        // Housekeeping in the calling thread: on the common pool it was a thread wake-up per few requests.
        .executor(Runnable::run)
        .ticker(() -> clock.millis() * 1_000_000L)
        .expireAfterWrite(settings.throttleWindow())
        .maximumSize(settings.throttleMaxKeys())
        .build();
  }

  /** How long {@code user} from {@code source} must wait before trying again; empty when it may try now. */
  public Optional<Duration> retryAfter(String user, String source) {
    Instant now = clock.instant();
    return max(wait(userKey(user), settings.failuresPerUser(), now),
        wait(sourceKey(source), settings.failuresPerSource(), now));
  }

  public void failed(String user, String source) {
    Instant now = clock.instant();
    add(userKey(user), now);
    add(sourceKey(source), now);
  }

  /** A good login clears its user's failures (not its source's: one known password must not reset a scan). */
  public void succeeded(String user) {
    failures.invalidate(userKey(user));
  }

  private void add(String key, Instant now) {
    failures.asMap().compute(key, (k, times) -> {
      Deque<Instant> next = times == null ? new ArrayDeque<>() : new ArrayDeque<>(times);
      prune(next, now);
      next.addLast(now);
      return next;
    });
  }

  private Optional<Duration> wait(String key, int limit, Instant now) {
    Deque<Instant> times = failures.getIfPresent(key);
    if (times == null) {
      return Optional.empty();
    }
    Deque<Instant> live = new ArrayDeque<>(times);
    prune(live, now);
    if (live.size() < limit) {
      return Optional.empty();
    }
    // Allowed again once enough of the failures have left the window.
    Instant oldestCounted = live.stream().skip(live.size() - limit).findFirst().orElseThrow();
    return Optional.of(Duration.between(now, oldestCounted.plus(settings.throttleWindow())));
  }

  private void prune(Deque<Instant> times, Instant now) {
    Instant cutoff = now.minus(settings.throttleWindow());
    while (!times.isEmpty() && !times.peekFirst().isAfter(cutoff)) {
      times.removeFirst();
    }
  }

  private static Optional<Duration> max(Optional<Duration> a, Optional<Duration> b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.filter(d -> d.compareTo(a.get()) > 0).or(() -> a);
  }

  private static String userKey(String user) {
    return "u:" + user;
  }

  private static String sourceKey(String source) {
    return "s:" + source;
  }
}
