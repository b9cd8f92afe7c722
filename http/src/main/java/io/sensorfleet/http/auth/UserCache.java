package io.sensorfleet.http.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.sensorfleet.actors.user.UserDirectory.User;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@link io.sensorfleet.actors.user.UserDirectory}'s recent answers to "who is {@code name}?", so that
 * authenticating a request (every API call and every proxied UI request) does not ask the directory through the
 * guardian each time: three message hand-offs and a scheduled timeout per request, the largest share of the UI
 * proxy's cost over the upstream's own.
 *
 * <p>Correct across changes because every change goes through {@link UserStore}, which calls {@link #changed()}
 * before it asks the directory and again when the answer (or a failure) arrives, before its caller sees it: the
 * cache is emptied and an answer to a look-up that was under way meanwhile is not kept (it may predate the
 * change). So a revoked grant, a new role or a deleted user takes effect for the very next request, as without the
 * cache. Entries also expire after {@link #TTL}, a backstop for a change whose ask timed out but which the directory
 * applied later. Failed look-ups are never kept.
 *
 * @see io.sensorfleet.actors.user.UserDirectory
 */
final class UserCache {

  /** How long an answer is kept at most. */
  static final Duration TTL = Duration.ofSeconds(5);

  private final Cache<String, Optional<User>> users = Caffeine.newBuilder()
      // Housekeeping in the calling thread: on the common pool it was a thread wake-up per few requests.
      .executor(Runnable::run)
      .expireAfterWrite(TTL)
      .maximumSize(10_000)
      .build();
  private long generation; // guarded by this

  /** The kept answer for {@code name}, or null. */
  Optional<User> find(String name) {
    return users.getIfPresent(name);
  }

  /** Stamp a look-up with this before asking; {@link #keep} then drops its answer if a change came between. */
  synchronized long generation() {
    return generation;
  }

  synchronized void keep(String name, Optional<User> user, long askedAt) {
    if (askedAt == generation) {
      users.put(name, user);
    }
  }

  /** A change is about to be made, or has been (or failed): forget everything, and answers still under way. */
  synchronized void changed() {
    generation++;
    users.invalidateAll();
  }
}
