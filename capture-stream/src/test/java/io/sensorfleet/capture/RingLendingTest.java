package io.sensorfleet.capture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ring's reader lends blocks to the branches (zero-copy) without ever coming to hold the kernel's ring: the
 * first attempt kept reading while a sink pinned its oldest block, held (nearly) every block, and the capture
 * stalled for good. A small real ring on a veth of its own (8 blocks of 64 KiB, 2 of them lent).
 */
class RingLendingTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  static final int HOLD = 2;

  static NetLab lab;
  static CaptureSettings settings;

  NetLab.RawSocket gen;
  PacketRing ring;
  int seq;

  @BeforeAll
  static void topology() {
    lab = NetLab.create(0);
    settings = CaptureSettings.from(ConfigFactory.parseMap(Map.of(
        "sensor.capture.ring.block-count", 8, "sensor.capture.ring.block-size", "64KiB",
        "sensor.capture.ring.hold-blocks", HOLD, "sensor.capture.ring.poll-timeout", "50ms"))
        .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void teardown() {
    if (lab != null) {
      lab.close();
    }
  }

  @BeforeEach
  void open() {
    ring = PacketRing.open(lab.wire(), settings);
    gen = lab.generator();
  }

  @AfterEach
  void close() {
    gen.close();
    ring.close();
  }

  @Test
  void while_a_sink_sends_from_the_oldest_lent_block_the_reader_waits_instead_of_reading_on() {
    RingLease.Pin pin = ring.lease().pin();
    send(400); // about ten blocks' worth of 1514-byte frames: more than the ring holds
    PacketBatch oldest = nextBatch();
    assertTrue(ring.lease().enter(pin, oldest.start()), "the first batch's block is lent");
    for (int k = 0; k < 200; k++) {
      ring.next(1);
      assertTrue(ring.lent() <= HOLD + 1, "lent " + ring.lent() + " blocks while one was pinned");
    }
    RingLease.exit(pin);
    // The kernel dropped what it had no room for meanwhile, but it never lost its ring: once the send has ended,
    // new frames are read again (one more each round, since the ring may be full until the reader catches up).
    String marker = "resume";
    int[] k = {0};
    await().atMost(WAIT).alias("frames sent after the pin cleared").until(() -> {
      gen.send(NetLab.Frames.udp(marker, k[0]++, 5000, 200));
      PacketBatch b = ring.next(10);
      for (int i = 0; b != null && i < b.count(); i++) {
        if (NetLab.Frames.ours(b.frame(i), marker)) {
          return true;
        }
      }
      return false;
    });
  }

  @Test
  void when_no_block_comes_for_the_poll_timeout_every_lent_block_goes_back() {
    send(100);
    nextBatch();
    await().atMost(WAIT).alias("lent blocks returned while idle").until(() -> {
      ring.next(10);
      return ring.lent() == 0;
    });
  }

  private PacketBatch nextBatch() {
    PacketBatch[] got = new PacketBatch[1];
    await().atMost(WAIT).until(() -> (got[0] = ring.next(10)) != null && got[0].count() > 0);
    return got[0];
  }

  private void send(int frames) {
    for (int k = 0; k < frames; k++) {
      gen.send(NetLab.Frames.udp("lending", seq++, 5000, 1514));
    }
  }
}
