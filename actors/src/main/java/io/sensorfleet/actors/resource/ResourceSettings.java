package io.sensorfleet.actors.resource;

import com.typesafe.config.Config;
import io.sensorfleet.core.InstrumentId;
import java.time.Duration;

/**
 * The {@code sensor.resources} settings, read once from config.
 *
 * @param downloader      the Instrument that fetches (the only one whose fetch reports the platform believes)
 * @param refreshInterval how often the Instruments' requests are read again and the job set resent to the
 *                        Downloader (so a restarted Downloader gets its jobs back within one interval)
 * @param defaults        what a request that omits {@code every}, {@code max-size} or {@code timeout} gets; its
 *                        {@code maxBytes} is also the ceiling of any request
 * @param inbox           the directory in each target's container the platform copies resources into
 * @param askTimeout      bound on each ask and LXD file operation of one refresh or delivery
 */
public record ResourceSettings(InstrumentId downloader, Duration refreshInterval, ResourceRequest.Defaults defaults,
                               String inbox, Duration askTimeout) {

  public static ResourceSettings from(Config config) {
    Config c = config.getConfig("sensor.resources");
    return new ResourceSettings(
        InstrumentId.of(c.getString("downloader")),
        c.getDuration("refresh-interval"),
        new ResourceRequest.Defaults(c.getDuration("default-every"), c.getBytes("max-size"),
            c.getDuration("default-timeout"), c.getDuration("min-every")),
        c.getString("inbox"),
        c.getDuration("ask-timeout"));
  }
}
