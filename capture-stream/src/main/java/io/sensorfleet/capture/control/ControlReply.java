package io.sensorfleet.capture.control;

import io.sensorfleet.capture.CaptureStats;
import io.sensorfleet.capture.PortStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer to one {@link ControlRequest}: {@code ok}, or {@code error} with the reason (libpcap's own message
 * for a refused filter); counters for {@code stats} (every interface and port) and {@code detach} (that port).
 */
public record ControlReply(boolean ok, String error, List<Interface> interfaces, List<Port> ports) {

  public ControlReply {
    interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
    ports = ports == null ? List.of() : List.copyOf(ports);
  }

  /** One capture interface: frames read, frames the kernel's ring had no room for, batches the graph refused. */
  public record Interface(String name, long received, long ringDrops, long queueDrops) {}

  /** One mirror port, summed over the capture interfaces. {@code filter} is empty for everything. */
  public record Port(String port, String filter, long delivered, long filtered, long dropped, long overflowed,
                     long bytes) {

    static Port of(PortStats s) {
      return new Port(s.port(), s.filter().orElse(""), s.delivered(), s.filtered(), s.dropped(), s.overflowed(),
          s.bytes());
    }

    Port plus(Port o) {
      return new Port(port, filter, delivered + o.delivered, filtered + o.filtered, dropped + o.dropped,
          overflowed + o.overflowed, bytes + o.bytes);
    }
  }

  public static ControlReply success() {
    return new ControlReply(true, null, List.of(), List.of());
  }

  public static ControlReply error(String message) {
    return new ControlReply(false, message, List.of(), List.of());
  }

  /** The counters of several engines (one per capture interface); a port's are summed over them. */
  public static ControlReply of(List<CaptureStats> engines) {
    List<Interface> ifaces = new ArrayList<>();
    Map<String, Port> ports = new LinkedHashMap<>();
    for (CaptureStats s : engines) {
      ifaces.add(new Interface(s.iface(), s.rx(), s.ringDrops(), s.queueDrops()));
      for (PortStats p : s.ports()) {
        ports.merge(p.port(), Port.of(p), Port::plus);
      }
    }
    return new ControlReply(true, null, ifaces, new ArrayList<>(ports.values()));
  }

  /** Only the port's counters, summed over its branches. */
  public static ControlReply ofPort(String port, List<PortStats> branches) {
    Port sum = null;
    for (PortStats p : branches) {
      sum = sum == null ? Port.of(p) : sum.plus(Port.of(p));
    }
    return new ControlReply(true, null, List.of(), sum == null ? List.of() : List.of(sum));
  }
}
