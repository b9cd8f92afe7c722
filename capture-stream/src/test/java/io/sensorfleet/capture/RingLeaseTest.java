package io.sensorfleet.capture;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The handshake between the ring's reader and the sinks, single-threaded, step by step. */
class RingLeaseTest {

  @Test
  void a_batch_stays_valid_until_its_block_goes_back_to_the_kernel() {
    RingLease lease = new RingLease();
    RingLease.Pin pin = lease.pin();
    assertTrue(lease.enter(pin, 0), "block 0 is lent");
    RingLease.exit(pin);
    assertTrue(lease.claim(1), "nobody sends from block 0: it may go back");
    assertFalse(lease.enter(pin, 0), "block 0 went back: drop the batch, do not send it");
    assertTrue(lease.enter(pin, 1), "block 1 is still lent");
  }

  @Test
  void the_reader_keeps_a_block_a_sink_is_sending_from() {
    RingLease lease = new RingLease();
    RingLease.Pin pin = lease.pin();
    assertTrue(lease.enter(pin, 3));
    assertFalse(lease.claim(4), "block 3 is pinned: the reader keeps it for now");
    RingLease.exit(pin);
    assertTrue(lease.claim(4), "unpinned: it goes back");
  }

  @Test
  void a_detached_sink_pins_nothing() {
    RingLease lease = new RingLease();
    RingLease.Pin pin = lease.pin();
    assertTrue(lease.enter(pin, 0));
    lease.unregister(pin);
    assertTrue(lease.claim(1));
  }

  @Test
  void the_reader_waits_for_a_branch_that_has_not_finished_the_block_lead_blocks_back() {
    RingLease lease = new RingLease();
    RingLease.Pin pin = lease.pin();
    assertFalse(lease.lagging(5, 1_000, 100), "a branch that has finished nothing yet holds nobody up");
    RingLease.finished(pin, 2, 1_000);
    assertTrue(lease.lagging(5, 1_050, 100), "busy, and block 5 not finished: wait");
    assertFalse(lease.lagging(2, 1_050, 100), "block 2 is finished: read on");
  }

  @Test
  void the_reader_does_not_wait_for_a_branch_that_finished_nothing_for_the_stall_time() {
    RingLease lease = new RingLease();
    RingLease.Pin pin = lease.pin();
    RingLease.finished(pin, 2, 1_000);
    assertFalse(lease.lagging(5, 1_200, 100), "stalled for 200 ns of 100 allowed: not waited for");
  }

  @Test
  void a_block_is_unfinished_while_a_sink_that_has_started_has_not_finished_it() {
    RingLease lease = new RingLease();
    RingLease.Pin pin = lease.pin();
    assertFalse(lease.unfinished(4), "a sink that has finished nothing yet does not count");
    RingLease.finished(pin, 3, 1_000);
    assertTrue(lease.unfinished(4));
    RingLease.finished(pin, 4, 1_100);
    assertFalse(lease.unfinished(4));
  }
}
