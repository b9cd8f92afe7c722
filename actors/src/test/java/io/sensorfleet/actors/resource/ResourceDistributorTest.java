package io.sensorfleet.actors.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.bus.PermissionGate;
import io.sensorfleet.actors.instrument.HealthTracker;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.actors.instrument.InstrumentJournal;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.permission.Decision;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.runtime.ContainerFile;
import io.sensorfleet.core.runtime.ContainerRuntime;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The distributor's refusals, with probes for the registry, the bus and the audit log and a scripted runtime. */
class ResourceDistributorTest {

  static final ActorTestKit kit = ActorTestKit.create();
  static final InstrumentId DOWNLOADER = InstrumentId.of("downloader");
  static final InstrumentId BEACON = InstrumentId.of("beacon");
  static final String BODY = "#!/bin/sh\necho v1\n";
  static final String SHA = ResourceDistributor.sha256(BODY.getBytes(StandardCharsets.UTF_8));
  static final ResourceSettings SETTINGS = new ResourceSettings(DOWNLOADER, Duration.ofHours(1),
      new ResourceRequest.Defaults(Duration.ofHours(1), 1 << 20, Duration.ofSeconds(30), Duration.ofSeconds(1)),
      "/var/lib/instrument/inbox", Duration.ofSeconds(3));

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  final TestProbe<InstrumentRegistry.Command> registry = kit.createTestProbe();
  final TestProbe<PermissionGate.Command> bus = kit.createTestProbe();
  final TestProbe<AuditLog.Command> audit = kit.createTestProbe();
  final List<String> pulled = new CopyOnWriteArrayList<>();

  /** A runtime whose pullFile answers {@code content} and records the path; nothing else is expected. */
  ContainerRuntime runtime(String content) {
    return (ContainerRuntime) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {ContainerRuntime.class}, (proxy, method, args) -> {
          if (method.getName().equals("pullFile")) {
            pulled.add(args[0] + ":" + args[1]);
            return CompletableFuture.completedFuture(ContainerFile.of(content.getBytes(StandardCharsets.UTF_8)));
          }
          throw new AssertionError("unexpected runtime call " + method.getName());
        });
  }

  /** Started, with the beacon asking for beacon-bin and allowed to; returns the platform inbox. */
  ActorRef<PermissionGate.ToPlatform> started(ContainerRuntime runtime) {
    kit.spawn(ResourceDistributor.create(SETTINGS, registry.getRef(), bus.getRef(), runtime, audit.getRef()));
    var inbox = bus.expectMessageClass(PermissionGate.SetPlatformInbox.class).inbox();
    var list = registry.expectMessageClass(InstrumentRegistry.GetInstruments.class);
    list.replyTo().tell(List.of(new Instrument.Status(BEACON, Optional.empty(), InstrumentJournal.Desired.RUNNING,
        InstrumentJournal.Actual.RUNNING, "", Optional.empty(), true, HealthTracker.stopped(5), Optional.empty(), 0,
        Optional.empty())));
    var history = registry.expectMessageClass(InstrumentRegistry.GetConfigHistory.class);
    history.replyTo().tell(StatusReply.success(List.of(new InstrumentJournal.ConfigVersion(1,
        "{\"resources\":[{\"name\":\"beacon-bin\",\"url\":\"http://portal/b.sh\",\"every\":\"1m\"}]}",
        Principal.user("op"), Instant.EPOCH, "", InstrumentJournal.ConfigState.ACCEPTED, "", Optional.empty()))));
    var check = bus.expectMessageClass(PermissionGate.Check.class);
    check.replyTo().tell(new Decision(true, "allowed by grant 'beacon may receive resource beacon-bin'"));
    var jobs = bus.expectMessageClass(PermissionGate.ToInstrument.class);
    assertEquals(DOWNLOADER, jobs.to());
    var deliver = (Frame.Deliver) jobs.frame();
    assertEquals(PermissionGate.PLATFORM, deliver.from());
    assertTrue(deliver.payload().asString().contains("\"url\":\"http://portal/b.sh\""), deliver.payload().asString());
    expectAudit(ResourceDistributor.AUDIT_JOBS);
    return inbox;
  }

  AuditRequest expectAudit(String action) {
    while (true) {
      var record = audit.expectMessageClass(AuditLog.Record.class);
      if (record.request().action().equals(action)) {
        return record.request();
      }
    }
  }

  static RawJson report(String sha, String path) {
    return RawJson.of("{\"type\":\"fetch-report\",\"name\":\"beacon-bin\",\"url\":\"http://portal/b.sh\","
        + "\"outcome\":\"new\",\"sha256\":\"" + sha + "\",\"size\":" + BODY.length() + ",\"version\":\"v1\","
        + "\"path\":\"" + path + "\",\"attempts\":1}");
  }

  @Test
  void a_fetch_report_from_another_instrument_than_the_downloader_is_refused_and_audited() {
    var inbox = started(runtime(BODY));
    inbox.tell(new PermissionGate.ToPlatform(BEACON, report(SHA, ResourceDistributor.STORE + SHA)));
    AuditRequest refused = expectAudit(ResourceDistributor.AUDIT_REPORT_REFUSED);
    assertEquals(Outcome.DENIED, refused.outcome());
    audit.expectNoMessage(Duration.ofMillis(200));
    assertEquals(List.of(), pulled);
  }

  @Test
  void a_file_that_does_not_hash_as_announced_is_delivered_to_nobody() {
    var inbox = started(runtime("#!/bin/sh\necho tampered\n"));
    inbox.tell(new PermissionGate.ToPlatform(DOWNLOADER, report(SHA, ResourceDistributor.STORE + SHA)));
    expectAudit(ResourceDistributor.AUDIT_FETCHED);
    AuditRequest refused = expectAudit(ResourceDistributor.AUDIT_REFUSED);
    assertEquals(Outcome.DENIED, refused.outcome());
    assertTrue(refused.detail().startsWith("hash mismatch: the Downloader's"), refused.detail());
    assertEquals(List.of(DOWNLOADER.containerName() + ":" + ResourceDistributor.STORE + SHA), pulled);
    bus.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void the_platform_reads_nothing_but_the_downloaders_store() {
    var inbox = started(runtime(BODY));
    inbox.tell(new PermissionGate.ToPlatform(DOWNLOADER, report(SHA, "/etc/shadow")));
    expectAudit(ResourceDistributor.AUDIT_FETCHED);
    assertEquals(Outcome.DENIED, expectAudit(ResourceDistributor.AUDIT_REFUSED).outcome());
    assertEquals(List.of(), pulled);
  }
}
