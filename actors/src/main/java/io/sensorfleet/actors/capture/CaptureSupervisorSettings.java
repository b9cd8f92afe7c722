package io.sensorfleet.actors.capture;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * The {@code sensor.capture.supervisor} settings and the capture interfaces ({@code sensor.interfaces.capture}).
 *
 * @param interfaces          what the engine mirrors; empty: no engine, passive Instruments are refused
 * @param minBackoff          first delay before the engine process is started again after it died
 * @param maxBackoff          cap of that delay (it doubles per failure in a row)
 * @param statsInterval       how often counters are read for the blocked-frames audit and the Instruments' status
 * @param blockedAuditInterval at most one "passive instrument sent frames" audit record per Instrument per this
 * @param callTimeout         bound on one request to the engine (and on an attach asked by an Instrument)
 */
public record CaptureSupervisorSettings(List<String> interfaces, Duration minBackoff, Duration maxBackoff,
                                        Duration statsInterval, Duration blockedAuditInterval,
                                        Duration callTimeout) {

  public static CaptureSupervisorSettings from(Config root) {
    Config c = root.getConfig("sensor.capture.supervisor");
    return new CaptureSupervisorSettings(
        root.getStringList("sensor.interfaces.capture"),
        c.getDuration("min-backoff"),
        c.getDuration("max-backoff"),
        c.getDuration("stats-interval"),
        c.getDuration("blocked-audit-interval"),
        root.getDuration("sensor.capture.process.call-timeout"));
  }
}
