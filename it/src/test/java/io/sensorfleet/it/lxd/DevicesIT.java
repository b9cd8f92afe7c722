package io.sensorfleet.it.lxd;

import static io.sensorfleet.it.lxd.LxdTestKit.await;
import static io.sensorfleet.it.lxd.LxdTestKit.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.core.runtime.Device;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DevicesIT {

  @RegisterExtension
  static final LxdTestKit kit = new LxdTestKit();

  @Test
  void a_proxy_device_takes_a_host_unix_socket_to_a_tcp_listener_in_a_container_without_network()
      throws IOException {
    String name = kit.running("ui");
    // No NIC: only lo, which LXD leaves down (the test image's init brings it up; setup's may not).
    kit.sh(name, "ip link set lo up && mkdir -p /www && echo instrument-ui > /www/index.html"
        + " && httpd -p 127.0.0.1:8080 -h /www");
    Path socket = kit.hostDirectory("ui").resolve("ui.sock");
    var proxy = new Device.Proxy("unix:" + socket, "tcp:127.0.0.1:8080", Device.Proxy.Bind.HOST)
        .withSocketPermissions(0, 0, 0600);
    await(kit.lxd.addDevice(name, "ui", proxy));

    String response = httpGet(socket);
    assertTrue(response.contains(" 200 OK"), response);
    assertTrue(response.endsWith("instrument-ui\n"), response);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    assertEquals("lo\n", kit.sh(name, "ls /sys/class/net"));
  }

  @Test
  void a_p2p_nic_puts_its_host_end_on_the_host_while_the_container_runs() {
    String hostName = "sft" + kit.runId + "p";
    String name = kit.running(kit.spec("nic").withDevice("eth0", new Device.P2p(hostName, "eth0")));
    assertTrue(Files.exists(Path.of("/sys/class/net", hostName)), hostName + " on the host");
    assertEquals("eth0\nlo\n", kit.sh(name, "ls /sys/class/net"));

    await(kit.lxd.stop(name, Duration.ZERO));
    assertFalse(Files.exists(Path.of("/sys/class/net", hostName)), hostName + " gone with the container");
  }

  @Test
  void a_host_directory_is_added_to_and_removed_from_a_running_container() throws IOException {
    String name = kit.running("disk");
    Path dir = kit.hostDirectory("disk");
    Files.writeString(dir.resolve("hello"), "from the host\n");
    var disk = new Device.Disk(dir.toString(), "/mnt/host", true);

    await(kit.lxd.addDevice(name, "host", disk));
    assertEquals("from the host\n", kit.sh(name, "cat /mnt/host/hello"));
    assertEquals(disk, await(kit.lxd.info(name)).devices().get("host"));
    assertNotEquals(0, await(kit.lxd.exec(name, "touch", "/mnt/host/x")).exitCode(), "read-only mount");

    await(kit.lxd.removeDevice(name, "host"));
    assertNotEquals(0, await(kit.lxd.exec(name, "cat", "/mnt/host/hello")).exitCode());
    assertFalse(await(kit.lxd.info(name)).devices().containsKey("host"));
  }

  @Test
  void adding_a_device_under_a_taken_name_fails_instead_of_replacing_it() throws IOException {
    String name = kit.name("dup");
    Path dir = kit.hostDirectory("dup");
    await(kit.lxd.create(kit.spec("dup").withDevice("host", new Device.Disk(dir.toString(), "/mnt/a", true))));

    failure(ContainerRuntimeException.AlreadyExists.class,
        kit.lxd.addDevice(name, "host", new Device.Disk(dir.toString(), "/mnt/b", true)));
    assertEquals("/mnt/a", ((Device.Disk) await(kit.lxd.info(name)).devices().get("host")).path());
  }

  @Test
  void removing_a_device_the_container_lacks_fails_with_not_found() {
    String name = kit.name("nodev");
    await(kit.lxd.create(kit.spec("nodev")));
    failure(ContainerRuntimeException.NotFound.class, kit.lxd.removeDevice(name, "none"));
  }

  /** HTTP/1.0 by hand: the proxy's listen socket is a plain unix socket. */
  private static String httpGet(Path socket) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(StandardCharsets.US_ASCII.encode("GET / HTTP/1.0\r\nHost: instrument\r\n\r\n"));
      var response = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(4096);
      while (ch.read(buffer.clear()) > 0) {
        response.write(buffer.array(), 0, buffer.position());
      }
      return response.toString(StandardCharsets.UTF_8);
    }
  }
}
