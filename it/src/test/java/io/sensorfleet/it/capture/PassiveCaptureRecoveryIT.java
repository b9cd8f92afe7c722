package io.sensorfleet.it.capture;

import static io.sensorfleet.it.capture.CaptureLab.passive;
import static io.sensorfleet.it.capture.CaptureLab.rx;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sensorfleet.actors.capture.CaptureSupervisor;
import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.it.support.Stages;
import io.sensorfleet.it.support.TestSensor;
import io.sensorfleet.lxd.LxdRuntime;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A sensor restart: the passive Instrument's container keeps running (its engine process ends with the old
 * sensor), the next sensor adopts it, starts a new engine and gives it its branch again.
 */
class PassiveCaptureRecoveryIT {
  static final Duration TIMEOUT = TestSensor.TIMEOUT;
  static final String RUN = "pr" + Stages.randomId();
  static final InstrumentId IDS = InstrumentId.of(RUN + "-ids");
  static CaptureLab lab;
  static TestSensor.Run run;

  @BeforeAll
  static void start() throws Exception {
    lab = CaptureLab.create(RUN.substring(2));
    run = TestSensor.Run.create(RUN, List.of("ids"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (run != null) {
      run.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void a_restarted_sensor_adopts_a_running_passive_instrument_and_mirrors_to_it_again() throws Exception {
    try (TestSensor first = TestSensor.start(run, lab.sensorSettings())) {
      first.ask(r -> new InstrumentRegistry.Install(passive(IDS, "udp dst port 53"), Principal.user("it"), r));
      assertEquals(Actual.RUNNING, first.ask(r -> new InstrumentRegistry.Start(IDS, Principal.user("it"), r))
          .actual());
    }
    try (TestSensor second = TestSensor.start(run, lab.sensorSettings())) {
      LxdRuntime lxd = LxdRuntime.create(second.kit().system());
      // The Instrument may be adopted before the new engine is up: its branch waits for it (503 meanwhile).
      Awaitility.await().atMost(TIMEOUT).ignoreExceptions()
          .until(() -> second.status(IDS).actual() == Actual.RUNNING);
      Awaitility.await().atMost(TIMEOUT).ignoreExceptions().until(() -> second.<CaptureSupervisor.Command, CaptureSupervisor.Stats>
          askWithStatus(second.capture(), CaptureSupervisor.GetStats::new).branches().stream()
          .map(CaptureSupervisor.BranchStats::instrument).toList().equals(List.of(IDS.value())));
      long before = rx(lxd, IDS);
      lab.inject(53, 40);
      Awaitility.await().atMost(TIMEOUT).until(() -> rx(lxd, IDS) - before >= 40);
      second.ask(r -> new InstrumentRegistry.Stop(IDS, Principal.user("it"), r));
    }
  }
}
