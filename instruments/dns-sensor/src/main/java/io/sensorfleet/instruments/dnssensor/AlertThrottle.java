package io.sensorfleet.instruments.dnssensor;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Suppresses repeats of an alert: the same rule matching the same name for the same client alerts at most once per
 * window, as an IDS's thresholds do, so a looping replay does not flood the users' audience (which the platform
 * persists). Remembers at most {@link #MAX_KEYS} recent alerts, forgetting the least recently seen.
 */
final class AlertThrottle {

  static final int MAX_KEYS = 10_000;

  /** What makes two alerts the same. */
  record Key(String ruleset, String pattern, String qname, String client) {}

  private final Map<Key, Instant> lastAlerted = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Instant> eldest) {
      return size() > MAX_KEYS;
    }
  };

  /** True if an alert for {@code key} may go out at {@code now}; a zero window lets every one through. */
  synchronized boolean allow(Key key, Instant now, Duration window) {
    if (window.isZero()) {
      return true;
    }
    Instant last = lastAlerted.get(key);
    if (last != null && now.isBefore(last.plus(window))) {
      return false;
    }
    lastAlerted.put(key, now);
    return true;
  }
}
