package io.sensorfleet.capture;

import java.util.Optional;

/**
 * One mirror port's counters since it was attached, in frames (bytes: captured bytes delivered).
 * {@code dropped} counts frames lost to this port only: its branch buffer overflowed (oldest batch dropped) or
 * its socket refused them (a full queue on a slow or stalled consumer); {@code overflowed} is the part lost in
 * the branch buffer.
 */
public record PortStats(String port, Optional<String> filter, long delivered, long filtered, long dropped,
                        long overflowed, long bytes) {

  /** {@code port=delivered/dropped/filtered/bytes}, the order of the capture harness's stats line. */
  public String statsField() {
    return port + "=" + delivered + "/" + dropped + "/" + filtered + "/" + bytes;
  }
}
