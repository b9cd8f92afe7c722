package io.sensorfleet.capture;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The Capture Engine's settings, read once from {@code sensor.capture} (defaults in this module's
 * reference.conf).
 */
public record CaptureSettings(
    int blockSize,
    int blockCount,
    int frameSize,
    Duration blockTimeout,
    Duration pollTimeout,
    int holdBlocks,
    int leadBlocks,
    Duration leadStall,
    int sourceQueue,
    int hubBuffer,
    int branchBuffer,
    int sendBatch,
    boolean qdiscBypass,
    int sendBuffer,
    String dispatcher) {

  public static CaptureSettings from(Config root) {
    Config c = root.getConfig("sensor.capture");
    return new CaptureSettings(
        (int) c.getBytes("ring.block-size").longValue(),
        c.getInt("ring.block-count"),
        (int) c.getBytes("ring.frame-size").longValue(),
        c.getDuration("ring.block-timeout"),
        c.getDuration("ring.poll-timeout"),
        c.getInt("ring.hold-blocks"),
        c.getInt("ring.lead-blocks"),
        c.getDuration("ring.lead-stall"),
        c.getInt("source-queue"),
        c.getInt("hub-buffer"),
        c.getInt("branch-buffer"),
        c.getInt("send-batch"),
        c.getBoolean("qdisc-bypass"),
        (int) c.getBytes("send-buffer").longValue(),
        c.getString("dispatcher"));
  }

  public CaptureSettings withQdiscBypass(boolean bypass) {
    return new CaptureSettings(blockSize, blockCount, frameSize, blockTimeout, pollTimeout, holdBlocks, leadBlocks,
        leadStall, sourceQueue, hubBuffer, branchBuffer, sendBatch, bypass, sendBuffer, dispatcher);
  }

  public CaptureSettings withBranchBuffer(int batches) {
    return new CaptureSettings(blockSize, blockCount, frameSize, blockTimeout, pollTimeout, holdBlocks, leadBlocks,
        leadStall, sourceQueue, hubBuffer, batches, sendBatch, qdiscBypass, sendBuffer, dispatcher);
  }
}
