package io.sensorfleet.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OwnershipTest {

  @Test
  void ids_in_the_old_range_move_to_the_same_place_in_the_new_one() {
    assertEquals(231072 + 1000, Ownership.shift(165536 + 1000, 165536, 231072, 65536));
    assertEquals(231072, Ownership.shift(165536, 165536, 231072, 65536));
    assertEquals(231072 + 65535, Ownership.shift(165536 + 65535, 165536, 231072, 65536));
  }

  @Test
  void ids_outside_the_old_range_stay() {
    assertEquals(0, Ownership.shift(0, 165536, 231072, 65536));
    assertEquals(165535, Ownership.shift(165535, 165536, 231072, 65536));
    assertEquals(165536 + 65536, Ownership.shift(165536 + 65536, 165536, 231072, 65536));
  }
}
