package io.sensorfleet.it.lxd;

import static io.sensorfleet.it.lxd.LxdTestKit.await;
import static io.sensorfleet.it.lxd.LxdTestKit.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.core.runtime.ContainerSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each LXD error arrives as a typed failure with LXD's own message. */
class FailuresIT {

  @RegisterExtension
  static final LxdTestKit kit = new LxdTestKit();

  @Test
  void a_missing_container_is_not_found() {
    var notFound = failure(ContainerRuntimeException.NotFound.class, kit.lxd.state(kit.name("missing")));
    assertEquals(404, notFound.status());
    assertEquals("Instance not found", notFound.managerMessage());
  }

  @Test
  void creating_a_container_twice_fails_with_already_exists() {
    await(kit.lxd.create(kit.spec("twice")));
    var exists = failure(ContainerRuntimeException.AlreadyExists.class, kit.lxd.create(kit.spec("twice")));
    assertTrue(exists.managerMessage().contains("already exists"), exists.getMessage());
  }

  @Test
  void creating_from_a_missing_image_is_not_found() {
    var spec = ContainerSpec.of(kit.name("noimage"), "sft-test/no-such-image");
    var notFound = failure(ContainerRuntimeException.NotFound.class, kit.lxd.create(spec));
    assertEquals("Image alias not found", notFound.managerMessage());
  }

  @Test
  void an_invalid_config_value_is_refused_with_lxds_reason() {
    var spec = kit.spec("badcfg").withConfig("boot.autostart", "sometimes");
    var refused = failure(ContainerRuntimeException.InvalidRequest.class, kit.lxd.create(spec));
    assertEquals(400, refused.status());
    assertTrue(refused.managerMessage().contains("Invalid value for a boolean \"sometimes\""), refused.getMessage());
  }

  @Test
  void starting_a_running_container_is_a_conflict() {
    String name = kit.running("started");
    var conflict = failure(ContainerRuntimeException.Conflict.class, kit.lxd.start(name));
    assertTrue(conflict.managerMessage().contains("already running"), conflict.getMessage());
  }

  @Test
  void deleting_a_running_container_is_a_conflict() {
    String name = kit.running("busy");
    var conflict = failure(ContainerRuntimeException.Conflict.class, kit.lxd.delete(name));
    assertEquals("Instance is running", conflict.managerMessage());
  }

  @Test
  void exec_in_a_stopped_container_is_a_conflict() {
    String name = kit.running("halted");
    await(kit.lxd.stop(name, Duration.ZERO));
    var conflict = failure(ContainerRuntimeException.Conflict.class, kit.lxd.exec(name, "true"));
    assertEquals("Instance is not running", conflict.managerMessage());
  }

  @Test
  void stopping_a_stopped_container_is_a_conflict() {
    await(kit.lxd.create(kit.spec("cold")));
    failure(ContainerRuntimeException.Conflict.class, kit.lxd.stop(kit.name("cold"), Duration.ZERO));
  }
}
