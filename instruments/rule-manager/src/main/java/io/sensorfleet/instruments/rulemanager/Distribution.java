package io.sensorfleet.instruments.rulemanager;

import io.sensorfleet.core.InstrumentId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What each target should hold, and what the platform acknowledged taking for delivery. A ruleset dropped from the
 * configuration is withdrawn: sent once more with no patterns, until acknowledged. Thread-safe: the callback,
 * timer and acknowledgement threads all use it.
 */
final class Distribution {

  /** A ruleset at a target. */
  record Key(InstrumentId target, String name) {}

  /** The message that puts a ruleset's current version in force at its target. */
  record Message(Key key, long version, List<String> patterns) {
    Message {
      patterns = List.copyOf(patterns);
    }
  }

  /**
   * Where one target stands.
   *
   * @param lastAcked the newest version the platform acknowledged for it, if any
   * @param waiting "name version N" of each ruleset whose current version is not acknowledged yet
   * @param failure why the last attempt of one of them failed, if it did
   */
  record TargetStatus(Optional<Long> lastAcked, List<String> waiting, Optional<String> failure) {}

  private Map<Key, Message> desired = new LinkedHashMap<>();
  private final Map<Key, Long> acked = new HashMap<>();
  private final Map<Key, String> failures = new HashMap<>();
  private final Map<InstrumentId, Long> lastAcked = new HashMap<>();

  /** Makes {@code rulesets}, at {@code version}, what the targets should hold. */
  synchronized void replace(List<ManagerConfig.Rules> rulesets, long version) {
    Map<Key, Message> next = new LinkedHashMap<>();
    for (ManagerConfig.Rules r : rulesets) {
      Key key = new Key(r.target(), r.name());
      next.put(key, new Message(key, version, r.patterns()));
    }
    for (Message old : desired.values()) {
      if (!next.containsKey(old.key())) {
        // A withdrawal not yet acknowledged keeps its version; a live ruleset becomes one.
        next.put(old.key(), old.patterns().isEmpty() ? old : new Message(old.key(), version, List.of()));
      }
    }
    desired = next;
    failures.keySet().retainAll(next.keySet());
  }

  /** Every message to send now. */
  synchronized List<Message> messages() {
    return List.copyOf(desired.values());
  }

  /** The platform took {@code m} for delivery. */
  synchronized void acknowledged(Message m) {
    acked.merge(m.key(), m.version(), Math::max);
    lastAcked.merge(m.key().target(), m.version(), Math::max);
    if (m.equals(desired.get(m.key()))) {
      failures.remove(m.key());
      if (m.patterns().isEmpty()) {
        desired.remove(m.key());   // withdrawn: nothing more to send
      }
    }
  }

  /** Sending {@code m} failed; true if that is news (the first failure since it last went through). */
  synchronized boolean failed(Message m, String why) {
    return m.equals(desired.get(m.key())) && !why.equals(failures.put(m.key(), why));
  }

  /** Per target, in id order. */
  synchronized Map<InstrumentId, TargetStatus> status() {
    Map<InstrumentId, List<String>> waiting = new TreeMap<>();
    Map<InstrumentId, String> failure = new HashMap<>();
    for (Message m : desired.values()) {
      InstrumentId target = m.key().target();
      waiting.computeIfAbsent(target, t -> new ArrayList<>());
      if (acked.getOrDefault(m.key(), -1L) < m.version()) {
        waiting.get(target).add(m.key().name() + " version " + m.version());
        Optional.ofNullable(failures.get(m.key())).ifPresent(f -> failure.putIfAbsent(target, f));
      }
    }
    Map<InstrumentId, TargetStatus> status = new TreeMap<>();
    waiting.forEach((target, names) -> status.put(target, new TargetStatus(
        Optional.ofNullable(lastAcked.get(target)), List.copyOf(names), Optional.ofNullable(failure.get(target)))));
    return status;
  }
}
