package io.sensorfleet.capture;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The engine's counters: frames read from the capture interface's ring ({@code rx}), frames the kernel dropped
 * because the ring was full ({@code ringDrops}), frames of batches the graph could not take ({@code
 * queueDrops}), and each attached port's counters.
 */
public record CaptureStats(String iface, long rx, long ringDrops, long queueDrops, List<PortStats> ports) {

  /**
   * One line, the capture harness's format: {@code rx=N ring_drops=N queue_drops=N
   * PORT=delivered/dropped/filtered/bytes ...}.
   */
  public String statsLine() {
    return "rx=" + rx + " ring_drops=" + ringDrops + " queue_drops=" + queueDrops
        + ports.stream().map(p -> " " + p.statsField()).collect(Collectors.joining());
  }
}
