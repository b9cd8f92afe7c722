package io.sensorfleet.actors.channel;

import com.typesafe.config.Config;
import io.sensorfleet.core.protocol.FrameLimits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code sensor.channel} settings: where the Instruments' sockets live and how much one connection may cost.
 *
 * @param runtimeRoot host directory holding one {@code <instrument-id>/bus.sock} per Instrument
 * @param maxFrameBytes longest frame, without its {@code \n}; the Instrument SDK must use the same limit
 * @param handshakeTimeout a connection that sends no {@code hello} within this is sent {@code bye} and closed
 * @param closeTimeout how long a closing connection may take to flush its last frames before it is cut
 * @param outboundQueueSize frames waiting for the socket, beyond which the oldest is dropped (and counted)
 * @param outboundQueueBytes bytes waiting for the socket, same rule; the newest frame is always kept
 * @param dropSummaryInterval frames dropped for a slow Instrument are audited as one count per this period
 * @param inboundFramesPerSecond inbound frames are shaped (delayed, not refused) to this rate
 * @param inboundFrameBurst frames that may arrive at once before shaping starts
 * @param inboundBytesPerSecond inbound bytes are shaped to this rate
 * @param inboundByteBurst bytes that may arrive at once before shaping starts
 * @param maxErrorFrames error frames sent to one connection within {@code errorWindow} before it is closed with
 *     {@code rate-limited}
 * @param errorWindow see {@code maxErrorFrames}
 * @param readChunkBytes bytes asked for in one socket read
 * @param acceptRetryDelay pause after a failed {@code accept} (e.g. out of file descriptors) before the next
 * @param ioDispatcher config path of the dispatcher whose platform threads do the blocking socket reads and writes
 */
public record ChannelSettings(
    Path runtimeRoot,
    int maxFrameBytes,
    Duration handshakeTimeout,
    Duration closeTimeout,
    int outboundQueueSize,
    long outboundQueueBytes,
    Duration dropSummaryInterval,
    int inboundFramesPerSecond,
    int inboundFrameBurst,
    int inboundBytesPerSecond,
    int inboundByteBurst,
    int maxErrorFrames,
    Duration errorWindow,
    int readChunkBytes,
    Duration acceptRetryDelay,
    String ioDispatcher) {

  /** Config path of the dispatcher in reference.conf. */
  public static final String IO_DISPATCHER = "sensor.channel.io-dispatcher";
  /**
   * Config path of the dispatcher the bus's actors run on: spawn every {@link InstrumentChannel} and the
   * {@code PermissionGate} with {@code DispatcherSelector.fromConfig(BUS_DISPATCHER)}.
   */
  public static final String BUS_DISPATCHER = "sensor.channel.bus-dispatcher";

  public ChannelSettings {
    FrameLimits.ofFrameBytes(maxFrameBytes); // validates the frame size like the codec will
    positive("outbound-queue-size", outboundQueueSize);
    positive("outbound-queue-bytes", outboundQueueBytes);
    positive("inbound-frames-per-second", inboundFramesPerSecond);
    atMostOnePerNanosecond("inbound-frames-per-second", inboundFramesPerSecond);
    positive("inbound-frame-burst", inboundFrameBurst);
    positive("inbound-bytes-per-second", inboundBytesPerSecond);
    atMostOnePerNanosecond("inbound-bytes-per-second", inboundBytesPerSecond);
    positive("inbound-byte-burst", inboundByteBurst);
    positive("max-error-frames", maxErrorFrames);
    positive("read-chunk-bytes", readChunkBytes);
    if (!runtimeRoot.isAbsolute()) {
      throw new IllegalArgumentException("sensor.channel.runtime-root must be an absolute path: " + runtimeRoot);
    }
  }

  /** Reads {@code sensor.channel} from the whole config. */
  public static ChannelSettings from(Config config) {
    Config c = config.getConfig("sensor.channel");
    return new ChannelSettings(
        Path.of(c.getString("runtime-root")),
        Math.toIntExact(c.getBytes("max-frame-bytes")),
        c.getDuration("handshake-timeout"),
        c.getDuration("close-timeout"),
        c.getInt("outbound-queue-size"),
        c.getBytes("outbound-queue-bytes"),
        c.getDuration("drop-summary-interval"),
        c.getInt("inbound-frames-per-second"),
        c.getInt("inbound-frame-burst"),
        Math.toIntExact(c.getBytes("inbound-bytes-per-second")),
        Math.toIntExact(c.getBytes("inbound-byte-burst")),
        c.getInt("max-error-frames"),
        c.getDuration("error-window"),
        Math.toIntExact(c.getBytes("read-chunk-bytes")),
        c.getDuration("accept-retry-delay"),
        IO_DISPATCHER);
  }

  /** The same settings with another runtime root (tests, and sensors sharing a host). */
  public ChannelSettings withRuntimeRoot(Path root) {
    return new ChannelSettings(root, maxFrameBytes, handshakeTimeout, closeTimeout, outboundQueueSize,
        outboundQueueBytes, dropSummaryInterval, inboundFramesPerSecond, inboundFrameBurst, inboundBytesPerSecond, inboundByteBurst,
        maxErrorFrames, errorWindow, readChunkBytes, acceptRetryDelay, ioDispatcher);
  }

  /** The frame limits both ends use. */
  public FrameLimits frameLimits() {
    return FrameLimits.ofFrameBytes(maxFrameBytes);
  }

  /** The shaping token buckets (Bucket4j) refill at most one token per nanosecond. */
  private static void atMostOnePerNanosecond(String key, long perSecond) {
    if (perSecond > 1_000_000_000L) {
      throw new IllegalArgumentException("sensor.channel." + key + " must be at most 1000000000 (one per nanosecond): "
          + perSecond);
    }
  }

  private static void positive(String key, long value) {
    if (value < 1) {
      throw new IllegalArgumentException("sensor.channel." + key + " must be positive: " + value);
    }
  }
}
