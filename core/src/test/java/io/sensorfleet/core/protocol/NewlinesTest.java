package io.sensorfleet.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NewlinesTest {

  @Test
  void agrees_with_a_byte_by_byte_scan() {
    Random random = new Random(42);
    for (int round = 0; round < 2_000; round++) {
      byte[] bytes = new byte[random.nextInt(40)];
      for (int i = 0; i < bytes.length; i++) {
        int pick = random.nextInt(8);
        bytes[i] = (byte) (pick == 0 ? '\n' : pick == 1 ? 0x8A : pick == 2 ? 0x0B : random.nextInt(256));
      }
      int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
      int expected = bytes.length;
      for (int i = from; i < bytes.length; i++) {
        if (bytes[i] == '\n') {
          expected = i;
          break;
        }
      }
      assertEquals(expected, Newlines.indexOf(bytes, from, bytes.length));
    }
  }
}
