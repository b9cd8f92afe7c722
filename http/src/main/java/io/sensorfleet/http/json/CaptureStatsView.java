package io.sensorfleet.http.json;

import io.sensorfleet.actors.capture.CaptureSupervisor;
import java.util.List;

/**
 * {@code GET /api/v1/capture/stats}: each capture interface (frames {@code received}, frames {@code dropped} before
 * any branch: the kernel ring or the engine's queue was full) and each passive Instrument's branch: frames
 * {@code delivered} to it, {@code filtered} out by its pcap filter, {@code dropped} because it was too slow, bytes
 * delivered, and frames it tried to send that its receive-only interface {@code blocked}. Counters start when the
 * branch was attached (an Instrument start, or an engine restart).
 */
public record CaptureStatsView(List<Interface> interfaces, List<Branch> branches) {

  public record Interface(String name, long received, long dropped) {}

  public record Branch(String instrument, String port, String filter, long delivered, long filtered, long dropped,
                       long bytes, long blocked) {}

  public static CaptureStatsView of(CaptureSupervisor.Stats s) {
    return new CaptureStatsView(
        s.interfaces().stream().map(i -> new Interface(i.name(), i.received(), i.dropped())).toList(),
        s.branches().stream().map(b -> new Branch(b.instrument(), b.port(), b.filter(), b.delivered(), b.filtered(),
            b.dropped(), b.bytes(), b.blocked())).toList());
  }
}
