package io.sensorfleet.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The slab's handshake between its writer and the sinks, single-threaded, step by step. */
class PacketSlabTest {

  @Test
  void a_batch_stays_valid_until_the_writer_laps_it() {
    try (PacketSlab slab = new PacketSlab(1000)) {
      PacketSlab.Pin pin = slab.pin();
      long first = slab.reserve(400);
      assertEquals(0, first);
      assertEquals(400, slab.reserve(400));
      assertTrue(PacketSlab.enter(pin, first, slab), "nothing overwrote it yet");
      PacketSlab.exit(pin);
      assertEquals(1000, slab.reserve(400), "does not straddle the end: skips to the next lap");
      assertFalse(PacketSlab.enter(pin, first, slab), "the writer has lapped it: drop, do not send");
    }
  }

  @Test
  void the_writer_never_overwrites_a_batch_a_sink_is_sending() {
    try (PacketSlab slab = new PacketSlab(1000)) {
      PacketSlab.Pin pin = slab.pin();
      long first = slab.reserve(600);
      assertTrue(PacketSlab.enter(pin, first, slab));
      assertEquals(-1, slab.reserve(600), "the region is pinned: the writer drops its block instead");
      PacketSlab.exit(pin);
      assertEquals(1000, slab.reserve(600), "unpinned: the writer goes on");
    }
  }

  @Test
  void an_unregistered_sink_pins_nothing() {
    try (PacketSlab slab = new PacketSlab(1000)) {
      PacketSlab.Pin pin = slab.pin();
      assertTrue(PacketSlab.enter(pin, slab.reserve(600), slab));
      slab.unregister(pin);
      assertEquals(1000, slab.reserve(600));
    }
  }
}
