package io.sensorfleet.it.lxd;

import static io.sensorfleet.it.lxd.LxdTestKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.sensorfleet.core.runtime.ContainerFile;
import io.sensorfleet.core.runtime.ContainerSpec;
import io.sensorfleet.core.runtime.ResourceLimits;
import io.sensorfleet.core.runtime.SecureDefaults;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SecureDefaultsIT {

  @RegisterExtension
  static final LxdTestKit kit = new LxdTestKit();

  @Test
  void the_container_sees_its_cpu_memory_and_process_limits() {
    var spec = SecureDefaults.apply(ContainerSpec.of(kit.name("limits"), kit.image), ResourceLimits.of(1, 64, 50));
    String name = kit.running(spec);
    assertEquals("1\n", kit.sh(name, "nproc"));
    // cgroup v1 (this host) or v2 paths, visible inside thanks to cgroup:mixed:force.
    assertEquals("67108864\n", kit.sh(name,
        "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max"));
    assertEquals("50\n", kit.sh(name, "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max"));
  }

  @Test
  void each_container_runs_in_its_own_unprivileged_uid_range() {
    String first = kit.running("uids-a");
    String second = kit.running("uids-b");
    long firstBase = await(kit.lxd.info(first)).rootHostUid().orElseThrow();
    long secondBase = await(kit.lxd.info(second)).rootHostUid().orElseThrow();

    assertEquals(uidMap(firstBase), kit.sh(first, "cat /proc/self/uid_map").trim().replaceAll("\\s+", " "));
    assertEquals(uidMap(secondBase), kit.sh(second, "cat /proc/self/uid_map").trim().replaceAll("\\s+", " "));
    assertNotEquals(firstBase, secondBase);
  }

  @Test
  void the_container_has_no_network_interface_but_loopback() {
    String name = kit.running("nonet");
    assertEquals("lo\n", kit.sh(name, "ls /sys/class/net"));
  }

  @Test
  void the_container_cannot_create_device_nodes() {
    String name = kit.running("nomknod");
    assertNotEquals(0, await(kit.lxd.exec(name, "mknod", "/tmp/sda", "b", "8", "0")).exitCode());
  }

  @Test
  void the_instruments_program_runs_as_the_unprivileged_instrument_user_without_capabilities() {
    var spec = SecureDefaults.apply(ContainerSpec.of(kit.name("nonroot"), LxdTestKit.BASE_IMAGE),
        ResourceLimits.of(1, 64, 50));
    await(kit.lxd.create(spec));
    // sensorfleet/base's sf-init runs /etc/sensorfleet/entrypoint as `instrument` (docs/lxd-setup.md).
    String entrypoint = "#!/bin/sh\necho \"$(id -u):$(id -g):$(grep CapEff /proc/self/status | tr -d ' \\t')\" "
        + "> /run/instrument/whoami\nexec sleep 100000\n";
    await(kit.lxd.pushFile(spec.name(), "/etc/sensorfleet/entrypoint",
        new ContainerFile(entrypoint.getBytes(StandardCharsets.UTF_8), 0, 0, 0755)));
    await(kit.lxd.start(spec.name()));
    String whoami = Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> kit.sh(spec.name(), "cat /run/instrument/whoami 2>/dev/null || true"), s -> !s.isBlank());
    assertEquals("1000:1000:CapEff:0000000000000000\n", whoami);
  }

  private static String uidMap(long base) {
    return "0 " + base + " 65536";
  }
}
