package io.sensorfleet.it.network;

import static io.sensorfleet.it.network.NetTestKit.await;
import static io.sensorfleet.it.network.NetTestKit.pingOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.InstrumentManifest;
import io.sensorfleet.core.manifest.ManifestParser;
import io.sensorfleet.core.network.LxcNetworkConfig;
import io.sensorfleet.core.runtime.SecureDefaults;
import io.sensorfleet.it.support.Stages;
import io.sensorfleet.it.support.TestSensor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A manifest's {@code address:} through the sensor itself (the Instrument actor, real LXD, the sample Instrument):
 * set on every start the actor makes, and on a running container a restarted sensor adopts that was started
 * without it.
 */
class StaticAddressSensorIT {

  static final String RUN = "sas" + Stages.randomId();
  static final Duration TIMEOUT = TestSensor.TIMEOUT;

  static NetTestKit kit;
  static TestSensor.Run run;
  static String bridge;

  @BeforeAll
  static void setUp() throws Exception {
    kit = NetTestKit.start();
    kit.managementSide();
    bridge = kit.bridge("sb");
    kit.memberOf(bridge, "sbp", kit.address(9, 100) + "/24");
    run = TestSensor.Run.create(RUN, List.of("restart", "adopt", "dns"));
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      if (run != null) {
        run.close();
      }
    } finally {
      if (kit != null) {
        kit.close();
      }
    }
  }

  static InstrumentManifest manifest(InstrumentId id, int hostPart) {
    return manifest(id, hostPart, "");
  }

  static InstrumentManifest manifest(InstrumentId id, int hostPart, String more) {
    return ManifestParser.parseOrThrow("""
        id: %s
        image: sensorfleet/jvm
        command: [java, -XX:TieredStopAtLevel=1, -jar, /opt/instrument/sample-instrument.jar]
        network: {mode: bridged, bridge: %s, address: %s/24, gateway: %s%s}
        limits: {cpus: 1, memory: 256MiB, processes: 128}
        """.formatted(id, bridge, kit.address(9, hostPart), kit.address(9, 100), more));
  }

  static TestSensor sensor() throws Exception {
    return TestSensor.start(run, Map.of("sensor.bridges", List.of(bridge), "sensor.network.nft-table", kit.table()));
  }

  @Test
  void the_sensor_sets_the_address_at_every_start_of_the_instrument() throws Exception {
    InstrumentId id = run.instrument("restart");
    String container = id.containerName();
    try (TestSensor sensor = sensor()) {
      sensor.ask(r -> new InstrumentRegistry.Install(manifest(id, 20), Principal.user("it"), r));
      assertEquals(Actual.RUNNING, sensor.ask(r -> new InstrumentRegistry.Start(id, Principal.user("it"), r)).actual());
      kit.sh(container, pingOk(kit.address(9, 100)));

      sensor.ask(r -> new InstrumentRegistry.Stop(id, Principal.user("it"), r));
      assertEquals(Actual.RUNNING, sensor.ask(r -> new InstrumentRegistry.Start(id, Principal.user("it"), r)).actual());
      assertTrue(kit.sh(container, "ip -4 addr show dev eth0").contains("inet " + kit.address(9, 20) + "/24 brd "
          + kit.address(9, 255)));
      assertTrue(kit.sh(container, "ip route").contains("default via " + kit.address(9, 100)));
      kit.sh(container, pingOk(kit.address(9, 100)));
    }
  }

  @Test
  void the_sensor_writes_the_name_servers_at_every_start_over_what_root_inside_wrote() throws Exception {
    InstrumentId id = run.instrument("dns");
    String container = id.containerName();
    String expected = "# written by the sensor from the Instrument's manifest (network.dns)\nnameserver "
        + kit.address(9, 100) + "\nnameserver " + kit.address(9, 101) + "\n";
    try (TestSensor sensor = sensor()) {
      sensor.ask(r -> new InstrumentRegistry.Install(manifest(id, 22, ", dns: [" + kit.address(9, 100) + ", "
          + kit.address(9, 101) + "]"), Principal.user("it"), r));
      sensor.ask(r -> new InstrumentRegistry.Start(id, Principal.user("it"), r));
      assertEquals(expected, kit.sh(container, "cat /etc/resolv.conf"));

      kit.sh(container, "echo 'nameserver 10.66.66.66' > /etc/resolv.conf");
      sensor.ask(r -> new InstrumentRegistry.Stop(id, Principal.user("it"), r));
      sensor.ask(r -> new InstrumentRegistry.Start(id, Principal.user("it"), r));
      assertEquals(expected, kit.sh(container, "cat /etc/resolv.conf"));
      assertEquals("-rw-r--r--", kit.sh(container, "ls -l /etc/resolv.conf").substring(0, 10));
    }
  }

  @Test
  void a_restarted_sensor_gives_an_adopted_container_started_without_it_its_address() throws Exception {
    InstrumentId id = run.instrument("adopt");
    String container = id.containerName();
    var manifest = manifest(id, 21);
    try (TestSensor first = sensor()) {
      first.ask(r -> new InstrumentRegistry.Install(manifest, Principal.user("it"), r));
      first.ask(r -> new InstrumentRegistry.Start(id, Principal.user("it"), r));
    }
    // As if created and started by a sensor that did not set addresses: no raw.lxc lines, nothing on eth0.
    await(kit.lxd.setConfig(container, Map.of("raw.lxc", SecureDefaults.CGROUP_MOUNT)));
    kit.sh(container, "ip addr flush dev eth0 && ip route flush dev eth0");
    long init = await(kit.lxd.state(container)).pid();

    try (TestSensor second = sensor()) {
      Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250))
          .until(() -> second.list().stream().filter(s -> s.id().equals(id)).findFirst(),
              s -> s.isPresent() && s.get().connected() && s.get().actual() == Actual.RUNNING);
      kit.sh(container, pingOk(kit.address(9, 100)));
      assertTrue(kit.sh(container, "ip route").contains("default via " + kit.address(9, 100)));
      assertEquals(LxcNetworkConfig.rawLxc(manifest.network()),
          await(kit.lxd.info(container)).config().get("raw.lxc"), "set for its next start too");
      assertEquals(init, await(kit.lxd.state(container)).pid(), "adopted, not restarted");
    }
  }
}
