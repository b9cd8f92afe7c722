package io.sensorfleet.capture.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A request of the platform to the Capture Engine's process, one JSON object per line on its control socket
 * ({@code {"op":"attach","port":"sfp1a2b3c4d","filter":"udp port 53"}}, {@code {"op":"detach","port":…}},
 * {@code {"op":"stats"}}). Each is answered by one {@link ControlReply} line, in order.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "op")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ControlRequest.Attach.class, name = "attach"),
    @JsonSubTypes.Type(value = ControlRequest.Detach.class, name = "detach"),
    @JsonSubTypes.Type(value = ControlRequest.Stats.class, name = "stats")})
public sealed interface ControlRequest {

  /**
   * Mirrors every capture interface to {@code port}, keeping only frames matching {@code filter} (pcap syntax;
   * null or blank: everything). A port already attached is detached first (its veth may have been recreated).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Attach(String port, String filter) implements ControlRequest {}

  /** Stops mirroring to {@code port}; answered with its final counters. Detaching an unknown port is no error. */
  record Detach(String port) implements ControlRequest {}

  /** The counters now. */
  record Stats() implements ControlRequest {}
}
