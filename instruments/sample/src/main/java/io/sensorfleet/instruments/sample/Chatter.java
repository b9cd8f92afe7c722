package io.sensorfleet.instruments.sample;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Audience;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.protocol.Topic;
import io.sensorfleet.sdk.ClientState;
import io.sensorfleet.sdk.ConfigDecision;
import io.sensorfleet.sdk.Health;
import io.sensorfleet.sdk.InstrumentClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A bus probe for the platform's tests: sends to the Instruments and publishes on the topics its arguments name,
 * every {@code every} milliseconds, subscribes to the topics named, and reports in its health detail what it
 * received from whom, which events arrived, and which errors the platform answered — so a test on the host reads
 * from outside what the bus let through inside. Arguments: {@code send=ID}, {@code publish=TOPIC},
 * {@code alert=TOPIC} (audience users), {@code subscribe=TOPIC} (each repeatable), {@code every=MS} (default 200).
 * Run as {@code java -cp sample-instrument.jar io.sensorfleet.instruments.sample.Chatter send=b subscribe=chat}.
 */
public final class Chatter {

  private final List<InstrumentId> sendTo = new ArrayList<>();
  private final List<Topic> publishOn = new ArrayList<>();
  private final List<Topic> alertOn = new ArrayList<>();
  private final List<Topic> subscribeTo = new ArrayList<>();
  private long everyMs = 200;
  private final Map<String, AtomicLong> received = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> events = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
  private final AtomicLong rounds = new AtomicLong();

  private Chatter(String[] args) {
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException("expected key=value, got " + arg);
      }
      switch (kv[0]) {
        case "send" -> sendTo.add(InstrumentId.of(kv[1]));
        case "publish" -> publishOn.add(Topic.of(kv[1]));
        case "alert" -> alertOn.add(Topic.of(kv[1]));
        case "subscribe" -> subscribeTo.add(Topic.of(kv[1]));
        case "every" -> everyMs = Long.parseLong(kv[1]);
        default -> throw new IllegalArgumentException("unknown argument " + kv[0]);
      }
    }
  }

  public static void main(String[] args) throws InterruptedException {
    new Chatter(args).run();
  }

  private void run() throws InterruptedException {
    // Subscriptions are made on every READY (a duplicate subscribe is acknowledged again); the client may turn READY
    // before build() returns, hence the reference and the check after it.
    AtomicReference<InstrumentClient> holder = new AtomicReference<>();
    InstrumentClient client = InstrumentClient.builder()
        .software("chatter/1")
        .onConfig(update -> ConfigDecision.accept())
        .onHealthQuery(() -> Health.healthy(detail()))
        .onMessage((from, payload) -> count(received, from.value()))
        .onEvent(event -> count(events, event.topic().value()))
        .onError(error -> count(errors, error.code()))
        .onStateChange(state -> {
          if (state == ClientState.READY && holder.get() != null) {
            subscribeAll(holder.get());
          }
        })
        .build();
    holder.set(client);
    if (client.state() == ClientState.READY) {
      subscribeAll(client);
    }
    ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
    ticks.scheduleAtFixedRate(() -> {
      long n = rounds.incrementAndGet();
      RawJson payload = RawJson.of("{\"n\":" + n + "}");
      sendTo.forEach(to -> client.send(to, payload));
      publishOn.forEach(topic -> client.publish(topic, Audience.INSTRUMENTS, payload));
      alertOn.forEach(topic -> client.publish(topic, Audience.USERS, payload));
    }, everyMs, everyMs, TimeUnit.MILLISECONDS);
    client.awaitClosed();
    ticks.shutdownNow();
  }

  private void subscribeAll(InstrumentClient client) {
    subscribeTo.forEach(topic -> client.subscribe(topic).whenComplete((ok, failure) -> {
      if (failure != null) {
        count(errors, "subscribe-" + topic);
      }
    }));
  }

  private static void count(Map<String, AtomicLong> counters, String key) {
    counters.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
  }

  /** e.g. {@code received talker=3; events chat=5; errors not-permitted=2}. */
  private String detail() {
    return "received " + render(received) + "; events " + render(events) + "; errors " + render(errors);
  }

  private static String render(Map<String, AtomicLong> counters) {
    var sorted = new TreeMap<String, Long>();
    counters.forEach((k, v) -> sorted.put(k, v.get()));
    return sorted.isEmpty() ? "-" : String.join(",", sorted.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).toList());
  }
}
