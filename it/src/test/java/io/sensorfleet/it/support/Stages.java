package io.sensorfleet.it.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;

/** What every integration test kit needs: bounded waits on stages, run ids, and a clean actor-system stop. */
public final class Stages {

  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  private Stages() {}

  /** The stage's value within {@code timeout}; its own failure (unwrapped when unchecked) otherwise. */
  public static <T> T await(CompletionStage<T> stage, Duration timeout) {
    try {
      return stage.toCompletableFuture().get(timeout.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new IllegalStateException("no result within " + timeout, e);
    }
  }

  /** The failure the stage ends with; fails the test if it succeeds or fails otherwise. */
  public static <E extends Throwable> E failure(Class<E> expected, CompletionStage<?> stage, Duration timeout) {
    try {
      Object value = stage.toCompletableFuture().get(timeout.toSeconds(), TimeUnit.SECONDS);
      return fail("expected " + expected.getSimpleName() + " but got " + value);
    } catch (ExecutionException e) {
      if (expected.isInstance(e.getCause())) {
        return expected.cast(e.getCause());
      }
      return fail("expected " + expected.getSimpleName() + " but got " + e.getCause(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      return fail("no result within " + timeout, e);
    }
  }

  /** Six random lower-case letters and digits, for a test run's names. */
  public static String randomId() {
    var random = new SecureRandom();
    var id = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return id.toString();
  }

  /** Closes the HTTP pools (the LXD client's) and terminates the system, waiting at most 10 s for each. */
  public static void terminate(ActorSystem<?> system) {
    try {
      Http.get(system).shutdownAllConnectionPools().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | InterruptedException | TimeoutException e) {
      // Terminating anyway.
    }
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | InterruptedException | TimeoutException e) {
      // Nothing else to do.
    }
  }
}
