package io.sensorfleet.audit.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/** Runs blocking JDBC on the audit dispatcher and hands back a {@link CompletionStage}. */
public final class Blocking {

  /** Blocking work that may throw a checked exception (SQLException, mostly). */
  @FunctionalInterface
  public interface Call<T> {
    T call() throws Exception;
  }

  private final Executor executor;

  private Blocking(Executor executor) {
    this.executor = executor;
  }

  /** On the dispatcher configured at {@code dispatcherPath} (e.g. {@code sensor.audit.jdbc-dispatcher}). */
  public static Blocking on(ActorSystem<?> system, String dispatcherPath) {
    return new Blocking(system.dispatchers().lookup(DispatcherSelector.fromConfig(dispatcherPath)));
  }

  public <T> CompletionStage<T> supply(Call<T> call) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return call.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    }, executor);
  }
}
