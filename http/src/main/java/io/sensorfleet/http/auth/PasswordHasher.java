package io.sensorfleet.http.auth;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Argon2id password hashes in the PHC string form ({@code $argon2id$v=19$m=...}), by Spring Security Crypto's
 * encoder on Bouncy Castle. Hashing is slow on purpose (tens of milliseconds), so it runs on {@code executor}, never
 * on an actor's or the HTTP server's threads. Checking an unknown user's password still hashes (against a dummy
 * hash), so response time does not tell which user names exist.
 */
public final class PasswordHasher {

  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;

  private final Argon2PasswordEncoder encoder;
  private final Executor executor;
  private final String dummy;

  public PasswordHasher(AuthSettings settings, Executor executor) {
    this.encoder = new Argon2PasswordEncoder(SALT_BYTES, HASH_BYTES, settings.argon2Parallelism(),
        settings.argon2MemoryKib(), settings.argon2Iterations());
    this.executor = executor;
    this.dummy = encoder.encode("not a password of anyone");
  }

  public CompletionStage<String> hash(String password) {
    return CompletableFuture.supplyAsync(() -> encoder.encode(password), executor);
  }

  /** True when {@code password} matches {@code hash}; false for an absent hash, after the same work. */
  public CompletionStage<Boolean> matches(String password, Optional<String> hash) {
    return CompletableFuture.supplyAsync(() -> {
      boolean ok = encoder.matches(password, hash.orElse(dummy));
      return ok && hash.isPresent();
    }, executor);
  }
}
