package io.sensorfleet.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeviceTest {

  @Test
  void disk_paths_must_be_absolute() {
    assertThrows(IllegalArgumentException.class, () -> new Device.Disk("relative", "/mnt", false));
    assertThrows(IllegalArgumentException.class, () -> new Device.Disk("/srv", "mnt", false));
  }

  @Test
  void host_interface_names_fit_ifnamsiz() {
    assertThrows(IllegalArgumentException.class, () -> new Device.P2p("sfp-0123456789ab", "eth0"));
    assertEquals("sfp-01234567", new Device.P2p("sfp-01234567", "eth0").hostName());
  }

  @Test
  void proxy_socket_permissions_are_optional() {
    var proxy = new Device.Proxy("unix:/run/ui.sock", "tcp:127.0.0.1:8080", Device.Proxy.Bind.HOST);
    assertEquals(Optional.empty(), proxy.socketPermissions());
    assertEquals(Optional.of(new Device.Proxy.SocketPermissions(0, 0, 0600)),
        proxy.withSocketPermissions(0, 0, 0600).socketPermissions());
  }

  @Test
  void other_devices_keep_their_type_apart_from_the_options() {
    assertThrows(IllegalArgumentException.class, () -> new Device.Other("disk", Map.of("type", "disk")));
  }
}
