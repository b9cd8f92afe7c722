package io.sensorfleet.sdk.internal;

import io.sensorfleet.core.protocol.Topic;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The topics the app subscribed to, which every new connection subscribes again, and the callers still waiting for
 * a first subscription (made while not connected). Not thread-safe: {@link Session} guards it with its lock.
 */
final class Subscriptions {

  private final Set<Topic> wanted = new LinkedHashSet<>();
  private final Map<Topic, CompletableFuture<Void>> waiting = new HashMap<>();

  void want(Topic topic) {
    wanted.add(topic);
  }

  /** A future that completes when a later connection's subscription to {@code topic} is acknowledged. */
  CompletableFuture<Void> waitFor(Topic topic) {
    return waiting.computeIfAbsent(topic, t -> new CompletableFuture<>());
  }

  /** Forgets {@code topic}; returns whoever waited for it, or null. */
  CompletableFuture<Void> drop(Topic topic) {
    wanted.remove(topic);
    return waiting.remove(topic);
  }

  /** The waiter for {@code topic}, now answered, or null. */
  CompletableFuture<Void> answered(Topic topic) {
    return waiting.remove(topic);
  }

  List<Topic> wanted() {
    return List.copyOf(wanted);
  }

  /** Every waiter, removed, to fail when the client closes. */
  List<CompletableFuture<Void>> clearWaiting() {
    List<CompletableFuture<Void>> all = List.copyOf(waiting.values());
    waiting.clear();
    return all;
  }
}
