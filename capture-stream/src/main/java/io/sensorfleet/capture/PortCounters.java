package io.sensorfleet.capture;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** Live counters of one branch; written by its stages (one writer each), read by {@link #snapshot}. */
public final class PortCounters {
  final String port;
  final Optional<String> filter;
  final AtomicLong delivered = new AtomicLong();
  final AtomicLong filtered = new AtomicLong();
  final AtomicLong dropped = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();
  /** The part of {@link #dropped} lost in the branch buffer (the port's sink fell behind the hub). */
  final AtomicLong overflowed = new AtomicLong();

  public PortCounters(String port, Optional<String> filter) {
    this.port = port;
    this.filter = filter;
  }

  public PortStats snapshot() {
    return new PortStats(port, filter, delivered.get(), filtered.get(), dropped.get(), overflowed.get(), bytes.get());
  }
}
