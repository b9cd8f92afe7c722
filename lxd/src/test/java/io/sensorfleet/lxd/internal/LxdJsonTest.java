package io.sensorfleet.lxd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sensorfleet.core.runtime.ContainerInfo;
import io.sensorfleet.core.runtime.ContainerSpec;
import io.sensorfleet.core.runtime.ContainerState;
import io.sensorfleet.core.runtime.ContainerStatus;
import io.sensorfleet.core.runtime.Device;
import io.sensorfleet.core.runtime.ExecRequest;
import io.sensorfleet.core.runtime.LifecycleEvent;
import io.sensorfleet.core.runtime.StorageVolume;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** LXD's JSON, against responses captured from LXD 5.0.2 ({@code src/test/resources/lxd-5.0.2}). */
class LxdJsonTest {

  @Test
  void reads_an_instance_with_its_devices_labels_and_uid_range() {
    ContainerInfo info = LxdJson.instance(metadata("instance.json"));
    assertEquals("sft-cap", info.name());
    assertEquals(ContainerStatus.STOPPED, info.status());
    assertEquals(Map.of("role", "probe"), info.labels());
    assertEquals(OptionalLong.of(165536), info.rootHostUid());
    assertEquals(Instant.parse("2026-11-22T08:15:05.658343855Z"), info.createdAt());
    assertEquals(new Device.Disk("/tmp/sftcap", "/run/bus", true), info.devices().get("bus"));
    assertEquals(new Device.Volume("default", "sft-capv", "/data"), info.devices().get("data"));
    assertEquals(new Device.P2p("sftcapp", "eth0"), info.devices().get("eth0"));
    assertEquals(new Device.Proxy("unix:/tmp/sftcap/ui.sock", "tcp:127.0.0.1:8080", Device.Proxy.Bind.HOST)
        .withSocketPermissions(0, 0, 0600), info.devices().get("ui"));
  }

  @Test
  void keeps_a_device_with_options_the_records_lack_as_it_is() {
    Device odd = LxdJson.instance(metadata("instance.json")).devices().get("odd");
    assertEquals(new Device.Other("disk", Map.of("source", "/tmp/sftcap", "path", "/odd", "shift", "true")), odd);
  }

  static Stream<Device> devices() {
    return Stream.of(
        new Device.Disk("/srv/a", "/mnt/a", false),
        new Device.Disk("/srv/a", "/mnt/a", true),
        new Device.Volume("default", "sf-ids--data", "/data"),
        new Device.Proxy("unix:/run/ui.sock", "tcp:127.0.0.1:8080", Device.Proxy.Bind.HOST),
        new Device.Proxy("tcp:127.0.0.1:7000", "unix:/run/bus.sock", Device.Proxy.Bind.CONTAINER)
            .withSocketPermissions(1000, 1000, 0660),
        new Device.P2p("sfp-1234abcd", "eth0"),
        new Device.Bridged("lxbr0", "sfb-1234abcd", "eth1"),
        new Device.Physical("lx-phy0", "eth2"),
        new Device.Other("unix-char", Map.of("source", "/dev/net/tun", "path", "/dev/net/tun")),
        new Device.Other("disk", Map.of("path", "/", "pool", "default")));
  }

  @ParameterizedTest
  @MethodSource("devices")
  void every_device_reads_back_as_written(Device device) {
    var map = new HashMap<String, String>();
    LxdJson.device(device).properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
    assertEquals(device, LxdJson.device(map));
  }

  @Test
  void create_body_holds_config_labels_devices_a_root_disk_and_no_profiles() {
    var spec = ContainerSpec.of("sf-ids", "sensorfleet/base")
        .withConfig("limits.cpu", "1")
        .withLabel("instrument", "ids")
        .withDevice("eth0", new Device.P2p("sfp-1", "eth0"));
    assertEquals("{\"name\":\"sf-ids\",\"type\":\"container\","
            + "\"source\":{\"type\":\"image\",\"alias\":\"sensorfleet/base\"},"
            + "\"config\":{\"limits.cpu\":\"1\",\"user.instrument\":\"ids\"},"
            + "\"devices\":{\"root\":{\"type\":\"disk\",\"path\":\"/\",\"pool\":\"tank\"},"
            + "\"eth0\":{\"type\":\"nic\",\"nictype\":\"p2p\",\"host_name\":\"sfp-1\",\"name\":\"eth0\"}},"
            + "\"profiles\":[]}",
        LxdJson.createInstance(spec, "tank", List.of()).toString());
  }

  @Test
  void set_config_body_names_only_the_keys_it_sets() {
    assertEquals("{\"config\":{\"raw.lxc\":\"lxc.mount.auto = cgroup:mixed:force\\nlxc.net.0.ipv4.address = 10.0.0.2/24 10.0.0.255\"}}",
        LxdJson.setConfig(Map.of("raw.lxc",
            "lxc.mount.auto = cgroup:mixed:force\nlxc.net.0.ipv4.address = 10.0.0.2/24 10.0.0.255")).toString());
  }

  @Test
  void a_spec_with_its_own_root_disk_keeps_it() {
    var root = new Device.Other("disk", Map.of("path", "/", "pool", "fast", "size", "1GiB"));
    var spec = ContainerSpec.of("sf-ids", "sensorfleet/base").withDevice("root", root);
    JsonNode devices = LxdJson.createInstance(spec, "default", List.of("default")).path("devices");
    assertEquals("fast", devices.path("root").path("pool").asText());
  }

  @Test
  void exec_body_asks_for_recorded_output_without_websockets() {
    var request = ExecRequest.of("id").withEnvironment("A", "1").withWorkingDirectory("/tmp").asUser(1000, 1000);
    assertEquals("{\"command\":[\"id\"],\"environment\":{\"A\":\"1\"},\"wait-for-websocket\":false,"
        + "\"interactive\":false,\"record-output\":true,\"cwd\":\"/tmp\",\"user\":1000,\"group\":1000}",
        LxdJson.exec(request).toString());
  }

  @Test
  void reads_the_state_of_a_running_and_a_stopped_container() {
    ContainerState running = LxdJson.state("sft-cap2", metadata("state-running.json"));
    assertEquals(ContainerStatus.RUNNING, running.status());
    assertTrue(running.pid() > 0 && running.processes() > 0 && running.memoryUsageBytes() > 0, running.toString());
    ContainerState stopped = LxdJson.state("sft-cap", metadata("state-stopped.json"));
    assertEquals(new ContainerState("sft-cap", ContainerStatus.STOPPED, 0, 0, 0, 0), stopped);
  }

  @Test
  void reads_volumes_with_the_containers_using_them() {
    assertEquals(List.of("sft-cap"), LxdJson.volumes("default", metadata("volumes.json")).getFirst().usedBy());
    StorageVolume volume = LxdJson.volumes("default", metadata("volumes.json")).getFirst();
    assertEquals("sft-capv", volume.name());
    assertEquals("default", volume.pool());
  }

  @Test
  void reads_the_outcome_of_a_recorded_exec() {
    JsonNode op = metadata("exec-wait.json");
    LxdJson.Operation operation = LxdJson.operation(op);
    assertTrue(operation.succeeded());
    LxdJson.ExecOutcome outcome = LxdJson.execOutcome(operation.metadata());
    assertEquals(3, outcome.exitCode());
    assertTrue(outcome.stdoutLog().endsWith(".stdout") && outcome.stderrLog().endsWith(".stderr"));
  }

  @Test
  void reads_a_failed_operation() {
    LxdJson.Operation operation = LxdJson.operation(metadata("operation-failure.json"));
    assertTrue(operation.failed());
    assertEquals(400, operation.statusCode());
    assertTrue(operation.err().startsWith("Failed to setup device mount"), operation.err());
  }

  @Test
  void reads_an_error_envelope() {
    LxdJson.Envelope envelope = LxdJson.envelope(resource("error-not-running.json"));
    assertTrue(envelope.isError());
    assertEquals(400, envelope.errorCode());
    assertEquals("Instance is not running", envelope.error());
  }

  @Test
  void reads_a_lifecycle_event_and_skips_others() {
    String frame = new String(resource("event-instance-stopped.json"), java.nio.charset.StandardCharsets.UTF_8);
    LifecycleEvent event = LxdJson.lifecycleEvent(frame).orElseThrow();
    assertEquals(LifecycleEvent.INSTANCE_STOPPED, event.action());
    assertEquals(Optional.of("sft-cap2"), event.instance());
    assertEquals(Instant.parse("2026-11-22T08:15:19.648288463Z"), event.timestamp());
    assertFalse(LxdJson.lifecycleEvent("{\"type\":\"operation\",\"metadata\":{}}").isPresent());
  }

  @Test
  void finds_roots_host_uid_in_the_shared_default_map_and_for_privileged_containers() {
    String shared = "[{\"Isuid\":true,\"Isgid\":false,\"Hostid\":100000,\"Nsid\":0,\"Maprange\":10000001},"
        + "{\"Isuid\":false,\"Isgid\":true,\"Hostid\":100000,\"Nsid\":0,\"Maprange\":10000001}]";
    assertEquals(OptionalLong.of(100000),
        LxdJson.rootHostUid(Map.of("volatile.idmap.base", "0", "volatile.idmap.next", shared)));
    assertEquals(OptionalLong.of(0), LxdJson.rootHostUid(Map.of("security.privileged", "true")));
    assertEquals(OptionalLong.empty(), LxdJson.rootHostUid(Map.of()));
  }

  @Test
  void maps_lxds_status_codes() {
    assertEquals(ContainerStatus.RUNNING, LxdJson.status(103, ""));
    assertEquals(ContainerStatus.STOPPED, LxdJson.status(102, ""));
    assertEquals(ContainerStatus.FROZEN, LxdJson.status(110, ""));
    assertEquals(ContainerStatus.ERROR, LxdJson.status(0, "Error"));
    assertEquals(ContainerStatus.UNKNOWN, LxdJson.status(0, "Mystery"));
  }

  private static JsonNode metadata(String name) {
    return LxdJson.envelope(resource(name)).metadata();
  }

  private static byte[] resource(String name) {
    try (InputStream in = LxdJsonTest.class.getResourceAsStream("/lxd-5.0.2/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
