package io.sensorfleet.it.lxd;

import static io.sensorfleet.it.lxd.LxdTestKit.await;
import static io.sensorfleet.it.lxd.LxdTestKit.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.runtime.ContainerInfo;
import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.core.runtime.ContainerSelector;
import io.sensorfleet.core.runtime.ContainerStatus;
import io.sensorfleet.lxd.LxdRuntime;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ContainerLifecycleIT {

  @RegisterExtension
  static final LxdTestKit kit = new LxdTestKit();

  @Test
  void creates_starts_stops_and_deletes_a_container() {
    var spec = kit.spec("life");
    await(kit.lxd.create(spec));
    assertEquals(ContainerStatus.STOPPED, await(kit.lxd.state(spec.name())).status());

    await(kit.lxd.start(spec.name()));
    var running = await(kit.lxd.state(spec.name()));
    assertEquals(ContainerStatus.RUNNING, running.status());
    assertTrue(running.pid() > 0, "init has a host pid: " + running);

    await(kit.lxd.stop(spec.name(), Duration.ZERO));
    assertEquals(ContainerStatus.STOPPED, await(kit.lxd.state(spec.name())).status());

    await(kit.lxd.delete(spec.name()));
    failure(ContainerRuntimeException.NotFound.class, kit.lxd.info(spec.name()));
  }

  @Test
  void stop_forces_a_container_whose_init_outlasts_the_grace_period() {
    // Busybox init takes about 2.7 s to halt: one second of grace is not enough.
    String name = kit.running("slow");
    await(kit.lxd.stop(name, Duration.ofSeconds(1)));
    assertEquals(ContainerStatus.STOPPED, await(kit.lxd.state(name)).status());
  }

  @Test
  void finds_its_containers_by_prefix_and_label_after_a_restart() {
    String labelled = kit.spec("found").name();
    await(kit.lxd.create(kit.spec("found").withLabel("role", "probe")));
    await(kit.lxd.create(kit.spec("other")));

    // A new runtime, as after a restart of the sensor: all it knows is the prefix and the labels.
    var restarted = LxdRuntime.create(kit.system);
    List<String> byLabel = await(restarted.list(ContainerSelector.prefix(kit.prefix).andLabel("role", "probe")))
        .stream().map(ContainerInfo::name).toList();
    assertEquals(List.of(labelled), byLabel);
    List<String> byPrefix = await(restarted.list(ContainerSelector.prefix(kit.prefix))).stream()
        .map(ContainerInfo::name).toList();
    assertTrue(byPrefix.containsAll(List.of(labelled, kit.name("other"))), byPrefix.toString());
  }

  @Test
  void reports_the_stored_configuration_and_labels() {
    var spec = kit.spec("info").withLabel("instrument", "ids");
    await(kit.lxd.create(spec));
    ContainerInfo info = await(kit.lxd.info(spec.name()));
    assertEquals("ids", info.labels().get("instrument"));
    assertEquals("true", info.config().get("security.idmap.isolated"));
    assertTrue(info.rootHostUid().isPresent() && info.rootHostUid().getAsLong() >= 65536, info.toString());
  }
}
