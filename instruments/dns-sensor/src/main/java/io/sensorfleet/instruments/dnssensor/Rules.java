package io.sensorfleet.instruments.dnssensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The rulesets in force, replaced atomically: a matcher sees either the old or the new version of a ruleset,
 * never a mix. Safe from any thread.
 */
public final class Rules {

  /** By name, in name order, so alerts come out in a stable order. */
  private final AtomicReference<Map<String, Ruleset.Compiled>> active = new AtomicReference<>(Map.of());

  /** What applying a ruleset did. */
  public enum Outcome { APPLIED, UNCHANGED, STALE, WITHDRAWN }

  /**
   * Puts {@code ruleset} in force unless a newer version of it already is; an empty one withdraws it. Applying
   * the same version again (a rule manager's periodic resend) changes nothing.
   */
  public Outcome apply(Ruleset ruleset) {
    Ruleset.Compiled compiled = ruleset.compile();
    while (true) {
      Map<String, Ruleset.Compiled> before = active.get();
      Ruleset.Compiled current = before.get(ruleset.name());
      if (current != null && current.ruleset().version() > ruleset.version()) {
        return Outcome.STALE;
      }
      if (current != null && current.ruleset().equals(ruleset)) {
        return Outcome.UNCHANGED;
      }
      Map<String, Ruleset.Compiled> after = new TreeMap<>(before);
      if (ruleset.patterns().isEmpty()) {
        after.remove(ruleset.name());
      } else {
        after.put(ruleset.name(), compiled);
      }
      if (active.compareAndSet(before, Collections.unmodifiableMap(after))) {
        return ruleset.patterns().isEmpty() ? Outcome.WITHDRAWN : Outcome.APPLIED;
      }
    }
  }

  /** Every ruleset that matches {@code qname}, with the first pattern that did. */
  public List<Match> matches(String qname) {
    List<Match> found = new ArrayList<>();
    for (Ruleset.Compiled c : active.get().values()) {
      Optional<String> pattern = c.firstMatch(qname);
      pattern.ifPresent(p -> found.add(new Match(c.ruleset().name(), c.ruleset().version(), p)));
    }
    return found;
  }

  /** Name to version of the rulesets in force, for health metrics. */
  public Map<String, Long> versions() {
    Map<String, Long> versions = new TreeMap<>();
    active.get().forEach((name, c) -> versions.put(name, c.ruleset().version()));
    return versions;
  }

  /** A ruleset's pattern that matched a name. */
  public record Match(String ruleset, long version, String pattern) {}
}
