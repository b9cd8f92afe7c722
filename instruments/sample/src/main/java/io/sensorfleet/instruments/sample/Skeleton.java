package io.sensorfleet.instruments.sample;

import io.sensorfleet.core.protocol.Topic;
import io.sensorfleet.sdk.ConfigDecision;
import io.sensorfleet.sdk.DataDirectory;
import io.sensorfleet.sdk.Health;
import io.sensorfleet.sdk.InstrumentClient;
import io.sensorfleet.sdk.RetentionSweeper;
import java.nio.file.Path;

/** The smallest complete Instrument. docs/instrument-sdk.md quotes this file; SkeletonTest runs it. */
public final class Skeleton {

  public static void main(String[] args) throws InterruptedException {
    Path data = DataDirectory.fromEnvironment(System.getenv());     // /var/lib/instrument in the container
    try (InstrumentClient client = InstrumentClient.builder()       // id and socket from the environment
        .software("skeleton/0.1.0")
        .onConfig(update -> {
          // Read update.config(), a JSON object, with any JSON library and apply it; or say what is wrong:
          //   return ConfigDecision.reject("interface mirror0 does not exist");
          return ConfigDecision.accept();
        })
        .onHealthQuery(() -> Health.healthy())
        .onRetention(cutoff -> RetentionSweeper.deleteOlderThan(data, cutoff))
        .onMessage((from, payload) -> System.out.println("message from " + from + ": " + payload))
        .onEvent(event -> System.out.println("event on " + event.topic() + ": " + event.payload()))
        .onShutdown(reason -> System.out.println("stopping: " + reason))
        .build()) {
      client.subscribe(Topic.of("alerts.ids"));
      client.awaitClosed();                                         // until the platform says bye
    }
  }
}
