package io.sensorfleet.instruments.sample;

import java.util.ArrayList;
import java.util.List;

/**
 * A hostile program for the platform's containment tests: allocates and touches memory without bound. Inside an
 * Instrument's container the memory limit must stop it (OOM kill or OutOfMemoryError), never the host or a
 * neighbour. Exits 0 only if it managed to hold 768 MiB, which a 256 MiB container must not allow.
 */
public final class MemoryHog {

  private MemoryHog() {}

  public static void main(String[] args) {
    List<byte[]> held = new ArrayList<>();
    for (int mib = 0; mib < 768; mib++) {
      byte[] block = new byte[1024 * 1024];
      for (int i = 0; i < block.length; i += 4096) {
        block[i] = 1;  // touch every page so it is really resident
      }
      held.add(block);
    }
    System.out.println("held " + held.size() + " MiB");
  }
}
