package io.sensorfleet.it.lxd;

import static io.sensorfleet.it.lxd.LxdTestKit.POOL;
import static io.sensorfleet.it.lxd.LxdTestKit.await;
import static io.sensorfleet.it.lxd.LxdTestKit.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.core.runtime.Device;
import io.sensorfleet.core.runtime.StorageVolume;
import io.sensorfleet.core.runtime.VolumeSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class VolumesIT {

  @RegisterExtension
  static final LxdTestKit kit = new LxdTestKit();

  @Test
  void a_volume_keeps_its_data_across_stop_and_start() {
    VolumeSpec volume = created("keep");
    String name = kit.running(kit.spec("keep").withDevice("data", mount(volume)));
    kit.sh(name, "echo kept > /data/marker");

    await(kit.lxd.stop(name, Duration.ZERO));
    await(kit.lxd.start(name));
    assertEquals("kept\n", kit.sh(name, "cat /data/marker"));
  }

  @Test
  void another_container_neither_sees_the_volume_nor_can_mount_it() {
    VolumeSpec volume = created("private");
    String owner = kit.running(kit.spec("owner").withDevice("data", mount(volume)));
    kit.sh(owner, "echo secret > /data/marker");

    String other = kit.running("other");
    assertNotEquals(0, await(kit.lxd.exec(other, "cat", "/data/marker")).exitCode());

    // Each container has its own uid range (security.idmap.isolated): LXD refuses to share the volume.
    await(kit.lxd.stop(other, Duration.ZERO));
    await(kit.lxd.attachVolume(other, "data", mount(volume)));
    var refused = failure(ContainerRuntimeException.OperationFailed.class, kit.lxd.start(other));
    assertTrue(refused.managerMessage().contains("Idmaps"), refused.getMessage());
  }

  @Test
  void a_volume_is_attached_and_detached_while_the_container_runs() {
    VolumeSpec volume = created("hot");
    String name = kit.running("hot");

    await(kit.lxd.attachVolume(name, "data", mount(volume)));
    kit.sh(name, "echo hot > /data/file");
    await(kit.lxd.detachVolume(name, "data"));
    assertNotEquals(0, await(kit.lxd.exec(name, "cat", "/data/file")).exitCode());
  }

  @Test
  void a_volume_in_use_is_kept_and_deleted_once_its_container_is_gone() {
    VolumeSpec volume = created("gone");
    String name = kit.running(kit.spec("gone").withDevice("data", mount(volume)));
    assertEquals(List.of(name), find(volume).usedBy());

    var inUse = failure(ContainerRuntimeException.Conflict.class, kit.lxd.deleteVolume(POOL, volume.name()));
    assertTrue(inUse.managerMessage().contains("in use"), inUse.getMessage());

    await(kit.lxd.stop(name, Duration.ZERO));
    await(kit.lxd.delete(name));
    await(kit.lxd.deleteVolume(POOL, volume.name()));
    assertFalse(await(kit.lxd.listVolumes(POOL)).stream().anyMatch(v -> v.name().equals(volume.name())));
  }

  @Test
  void creating_a_volume_twice_fails_with_already_exists() {
    VolumeSpec volume = created("twice");
    failure(ContainerRuntimeException.AlreadyExists.class, kit.lxd.createVolume(volume));
  }

  private static VolumeSpec created(String suffix) {
    VolumeSpec volume = kit.volume(suffix);
    await(kit.lxd.createVolume(volume));
    return volume;
  }

  private static Device.Volume mount(VolumeSpec volume) {
    return new Device.Volume(volume.pool(), volume.name(), "/data");
  }

  private static StorageVolume find(VolumeSpec volume) {
    return await(kit.lxd.listVolumes(POOL)).stream().filter(v -> v.name().equals(volume.name())).findFirst()
        .orElseThrow();
  }
}
