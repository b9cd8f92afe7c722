package io.sensorfleet.it.capture;

import static io.sensorfleet.it.capture.CaptureLab.passive;
import static io.sensorfleet.it.capture.CaptureLab.rx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.capture.CaptureSupervisor;
import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.it.support.Stages;
import io.sensorfleet.it.support.TestSensor;
import io.sensorfleet.lxd.LxdRuntime;
import io.sensorfleet.network.HostNetworkProvisioner;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real passive Instruments (the sample Instrument, in LXD) behind the real Capture Engine process ({@link
 * CaptureLab}: a veth of this test is the capture interface, its peer plays the SPAN port and injects UDP). Each
 * Instrument receives what its manifest's filter lets through, counted by its own kernel; one that tries to send
 * reaches nothing and is counted, shown and audited; stopping one takes its branch away and leaves the other's.
 */
class PassiveCaptureIT {
  static final Duration TIMEOUT = TestSensor.TIMEOUT;
  static final String RUN = "pc" + Stages.randomId();
  static final InstrumentId DNS = InstrumentId.of(RUN + "-dns");
  static final InstrumentId FLOW = InstrumentId.of(RUN + "-flow");
  static CaptureLab lab;
  static TestSensor.Run run;
  static TestSensor sensor;
  static LxdRuntime lxd;

  @BeforeAll
  static void start() throws Exception {
    lab = CaptureLab.create(RUN.substring(2));
    run = TestSensor.Run.create(RUN, List.of("dns", "flow"));
    sensor = TestSensor.start(run, lab.sensorSettings());
    lxd = LxdRuntime.create(sensor.kit().system());
  }

  @AfterAll
  static void stop() throws Exception {
    if (sensor != null) {
      sensor.close();
    }
    if (run != null) {
      run.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void passive_instruments_get_mirrored_traffic_through_their_filters_send_nothing_and_detach_alone()
      throws Exception {
    sensor.ask(r -> new InstrumentRegistry.Install(passive(DNS, "udp dst port 53"), Principal.user("it"), r));
    sensor.ask(r -> new InstrumentRegistry.Install(passive(FLOW, "udp dst port 5000"), Principal.user("it"), r));
    assertEquals(Actual.RUNNING, sensor.ask(r -> new InstrumentRegistry.Start(DNS, Principal.user("it"), r)).actual());
    assertEquals(Actual.RUNNING, sensor.ask(r -> new InstrumentRegistry.Start(FLOW, Principal.user("it"), r))
        .actual());
    // The engine's own process may still be starting (a JVM on a busy machine): its branches come once it is up.
    CaptureSupervisor.Stats attached = Awaitility.await().atMost(TIMEOUT).ignoreExceptions()
        .until(PassiveCaptureIT::stats, s -> s.branches().size() == 2);
    assertEquals(List.of(DNS.value(), FLOW.value()),
        attached.branches().stream().map(CaptureSupervisor.BranchStats::instrument).toList());
    assertEquals(HostNetworkProvisioner.passiveHostName(DNS), attached.branches().get(0).port());
    assertEquals("udp dst port 53", attached.branches().get(0).filter());

    // Each gets what its filter lets through, and nothing else.
    long dns0 = rx(lxd, DNS);
    long flow0 = rx(lxd, FLOW);
    lab.inject(53, 30);
    lab.inject(5000, 200);
    Awaitility.await().atMost(TIMEOUT).until(() -> rx(lxd, DNS) - dns0 >= 30 && rx(lxd, FLOW) - flow0 >= 200);
    assertTrue(rx(lxd, DNS) - dns0 < 100, "the DNS Instrument got the port-5000 frames too: " + (rx(lxd, DNS) - dns0));
    assertTrue(rx(lxd, FLOW) - flow0 < 230, "the flow Instrument got port-53 frames too: " + (rx(lxd, FLOW) - flow0));
    CaptureSupervisor.BranchStats dnsBranch = stats().branches().get(0);
    assertTrue(dnsBranch.delivered() >= 30 && dnsBranch.filtered() >= 200, dnsBranch.toString());

    // One tries to send: nothing leaves its host end, which counts it; its status and the audit log show it.
    long spanRx = lab.spanRxPackets();
    var sent = Stages.await(lxd.exec(DNS.containerName(), "sh", "-c",
        "ip addr add 198.18.0.9/24 dev eth0 && ping -c 3 -W 1 198.18.0.1"), TIMEOUT);
    assertNotEquals(0, sent.exitCode(), "ping must fail: " + sent.stdout());
    Awaitility.await().atMost(TIMEOUT).until(() -> stats().branches().get(0).blocked() > 0);
    Awaitility.await().atMost(TIMEOUT).until(() -> sensor.status(DNS).blockedFrames() > 0);
    assertEquals(spanRx, lab.spanRxPackets(), "nothing the Instrument sent reached the SPAN side");
    assertEquals(0, stats().branches().get(1).blocked(), "the well-behaved one sent nothing");
    sensor.audits().fishForMessage(TIMEOUT, "the blocked frames audited", m ->
        m instanceof AuditLog.Record rec && rec.request().action().equals("passive instrument sent frames")
            && rec.request().instrument().equals(Optional.of(DNS))
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());

    // Stopping one detaches its branch; the other keeps receiving.
    sensor.ask(r -> new InstrumentRegistry.Stop(DNS, Principal.user("it"), r));
    Awaitility.await().atMost(TIMEOUT).until(() -> stats().branches().stream()
        .map(CaptureSupervisor.BranchStats::instrument).toList().equals(List.of(FLOW.value())));
    long flow1 = rx(lxd, FLOW);
    lab.inject(5000, 50);
    Awaitility.await().atMost(TIMEOUT).until(() -> rx(lxd, FLOW) - flow1 >= 50);
    sensor.ask(r -> new InstrumentRegistry.Stop(FLOW, Principal.user("it"), r));
  }

  @Test
  void a_filter_libpcap_refuses_is_refused_at_install_with_libpcaps_message() {
    var error = assertThrows(Exception.class, () -> sensor.ask(r ->
        new InstrumentRegistry.Install(passive(InstrumentId.of(RUN + "-bad"), "udp dst prot 53"),
            Principal.user("it"), r)));
    assertTrue(String.valueOf(error.getMessage()).contains("unknown host 'prot'"), error.toString());
  }

  static CaptureSupervisor.Stats stats() throws Exception {
    return sensor.askWithStatus(sensor.capture(), CaptureSupervisor.GetStats::new);
  }
}
