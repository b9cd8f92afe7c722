package io.sensorfleet.sdk.testing;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.sdk.Backoff;
import io.sensorfleet.sdk.InstrumentClient;
import java.time.Duration;
import java.util.Map;

/** Client builders aimed at a {@link FakePlatform}, with a fast backoff so reconnection tests take milliseconds. */
public final class TestClients {

  public static final InstrumentId ID = InstrumentId.of("sample");
  public static final Backoff FAST = new Backoff(Duration.ofMillis(10), Duration.ofMillis(100), 2.0, 0.2);

  private TestClients() {}

  /** A builder for Instrument {@link #ID} on {@code platform}'s socket, ignoring the real environment. */
  public static InstrumentClient.Builder on(FakePlatform platform) {
    return InstrumentClient.builder()
        .environment(Map.of())
        .instrument(ID)
        .bus(platform.socket())
        .backoff(FAST);
  }
}
