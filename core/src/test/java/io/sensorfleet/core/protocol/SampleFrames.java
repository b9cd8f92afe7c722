package io.sensorfleet.core.protocol;

import io.sensorfleet.core.InstrumentId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** At least one valid frame of every type, with optional fields both present and absent. */
final class SampleFrames {

  static final InstrumentId IDS = InstrumentId.of("ids");
  static final InstrumentId PASSIVE_DNS = InstrumentId.of("passive-dns");
  static final Instant CUTOFF = Instant.parse("2026-10-23T00:00:00Z");
  static final Instant OCCURRED = Instant.parse("2026-11-22T10:15:30.123456789Z");

  private SampleFrames() {}

  static List<Frame> all() {
    return List.of(
        new Frame.Hello("h1", List.of(1), IDS, "sensorfleet-sdk-java/0.1.0"),
        new Frame.Hello("h-2", List.of(1, 2, 7), PASSIVE_DNS, "sdk-python/3.1 (linux)"),
        new Frame.Welcome("h1", 1, IDS, Optional.empty()),
        new Frame.Welcome("h1", 1, IDS,
            Optional.of(new Frame.AcceptedConfig(3, RawJson.of("{\"rules\": [\"emerging\"], \"home_net\": \"10.0.0.0/8\"}")))),
        new Frame.Config("c1", 4, RawJson.of("{\"interfaces\":[\"mirror0\"],\"mode\":\"ids\"}")),
        new Frame.Config("c2", Checks.MAX_SAFE_INTEGER, RawJson.of("{}")),
        new Frame.ConfigAck("c1", 4),
        new Frame.ConfigReject("c1", 4, "unknown mode \"ips\"\nexpected ids"),
        new Frame.ConfigReject("c1", 4, ""),
        new Frame.HealthQuery("q1"),
        new Frame.HealthReport(Optional.of("q1"), HealthStatus.HEALTHY, "", Optional.empty()),
        new Frame.HealthReport(Optional.empty(), HealthStatus.DEGRADED, "dropping 3% of packets",
            Optional.of(RawJson.of("{\"dropped\":1200,\"rate\":0.03}"))),
        new Frame.HealthReport(Optional.of("q2"), HealthStatus.FAILED, "rule load failed: é ☃ 😀 \t\u0001", Optional.empty()),
        new Frame.RetentionEnforce("r1", CUTOFF),
        new Frame.RetentionReport("r1", CUTOFF, 12, 3_400_000, OptionalLong.of(987_654_321), "2 files locked"),
        new Frame.RetentionReport("r1", CUTOFF, 0, 0, OptionalLong.empty(), ""),
        new Frame.Send(Optional.empty(), PASSIVE_DNS, false, RawJson.of("{\"query\":\"example.org\"}")),
        new Frame.Send(Optional.of("m1"), PASSIVE_DNS, true, RawJson.of("[1, 2.5e3, \"x\", null, true]")),
        new Frame.Send(Optional.of("m2"), IDS, false, RawJson.of("\"just a string\"")),
        new Frame.Deliver(IDS, RawJson.of("{ \"query\" : \"example.org\" }")),
        new Frame.Deliver(IDS, RawJson.of("42")),
        new Frame.Publish(Optional.empty(), Topic.of("alerts.ids"), Audience.USERS,
            RawJson.of("{\"severity\":2,\"signature\":\"ET SCAN\"}")),
        new Frame.Publish(Optional.of("p1"), Topic.of("dns.queries"), Audience.INSTRUMENTS, RawJson.of("{\"q\":\"a\"}")),
        new Frame.Subscribe("s1", Topic.of("dns.queries")),
        new Frame.Unsubscribe("s2", Topic.of("dns.queries")),
        new Frame.Event(Topic.of("dns.queries"), PASSIVE_DNS, Audience.INSTRUMENTS, OCCURRED,
            RawJson.of("{\"q\":\"example.org\",\"rr\":[{\"a\":\"93.184.215.14\"}]}")),
        new Frame.ResourceAvailable(Optional.empty(), "suricata-rules", "2026.11.22-1",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 1_234_567,
            "/var/lib/sensorfleet/resources/suricata-rules.tar.gz"),
        new Frame.ResourceAvailable(Optional.of("ra1"), "geoip", "1", "0".repeat(64), 0,
            "https://updates.example.org/geoip.mmdb"),
        new Frame.Ack("s1"),
        new Frame.Error(Optional.of("m1"), "not-permitted", "ids may not send to passive-dns"),
        new Frame.Error(Optional.empty(), "some-future-code", ""),
        new Frame.Bye("shutting down"),
        new Frame.Bye(""));
  }
}
