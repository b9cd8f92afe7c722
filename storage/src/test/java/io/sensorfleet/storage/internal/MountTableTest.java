package io.sensorfleet.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.storage.internal.MountTable.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountTableTest {

  // Lines as this kernel (6.18) wrote them: the host's table, and a container's with optional fields.
  static final String HOST = """
      27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
      46 27 0:41 / /var/lib/lxd/storage-pools/sensorfleet rw,relatime - btrfs /dev/loop0 rw,space_cache=v2
      45 27 0:45 / /run/sensorfleet-storage/ids/persistent rw,nosuid,nodev,relatime - fuse.gocryptfs sf-storage-ids rw,user_id=0,group_id=0,default_permissions,allow_other,max_read=131072
      49 27 0:46 / /run/sensorfleet-storage/ids/transient rw,nosuid,nodev,relatime - tmpfs sf-transient-ids rw,size=65536k,mode=700
      """;
  static final String CONTAINER = """
      90 89 0:50 / / rw,relatime shared:1 - ext4 /dev/vda rw
      103 90 0:45 /data /var/lib/instrument rw,nosuid,nodev,relatime shared:26 - fuse.gocryptfs sf-storage-ids rw,user_id=0,group_id=0,default_permissions,allow_other
      """;

  @Test
  void parses_device_root_mount_point_type_and_source() {
    List<Mount> mounts = MountTable.parse(HOST);

    assertEquals(4, mounts.size());
    assertEquals(new Mount("0:45", "/", Path.of("/run/sensorfleet-storage/ids/persistent"), "fuse.gocryptfs",
        "sf-storage-ids"), mounts.get(2));
    assertEquals(new Mount("0:45", "/data", Path.of("/var/lib/instrument"), "fuse.gocryptfs", "sf-storage-ids"),
        MountTable.parse(CONTAINER).get(1));
  }

  @Test
  void unescapes_octal_spaces_and_backslashes() {
    Mount m = MountTable.parse("46 45 0:42 / /tmp/gx/a\\040b rw - fuse.gocryptfs a\\040b\\134c rw\n").getFirst();

    assertEquals(Path.of("/tmp/gx/a b"), m.mountPoint());
    assertEquals("a b\\c", m.source());
  }

  @Test
  void the_last_mount_on_a_point_is_the_visible_one() {
    String stacked = HOST + "50 45 0:47 / /run/sensorfleet-storage/ids/persistent rw - fuse.gocryptfs other rw\n";

    Optional<Mount> top = MountTable.at(MountTable.parse(stacked), Path.of("/run/sensorfleet-storage/ids/persistent"));

    assertEquals("other", top.orElseThrow().source());
    assertTrue(MountTable.at(MountTable.parse(HOST), Path.of("/run/sensorfleet-storage/nothing")).isEmpty());
  }

  @Test
  void a_malformed_line_is_an_error() {
    assertThrows(IllegalArgumentException.class, () -> MountTable.parse("27 1 254:0 / / rw no separator\n"));
  }

  @Test
  void finds_the_other_namespaces_that_hold_a_filesystem(@TempDir Path proc) throws IOException {
    process(proc, "self", "mnt:[1]", HOST);
    process(proc, "1", "mnt:[1]", HOST);
    process(proc, "4001", "mnt:[7]", CONTAINER);
    process(proc, "4002", "mnt:[7]", CONTAINER);           // same namespace: counted once
    process(proc, "5000", "mnt:[9]", "1 0 0:99 / / rw - ext4 /dev/vdb rw\n");

    MountTable table = new MountTable(proc);

    List<Long> holders = table.otherNamespacesWith("0:45");
    assertEquals(1, holders.size());
    assertTrue(List.of(4001L, 4002L).contains(holders.getFirst()));
    assertEquals(List.of(), table.otherNamespacesWith("0:46"));  // only the host has the tmpfs
  }

  private static void process(Path proc, String pid, String ns, String mountinfo) throws IOException {
    Path dir = Files.createDirectories(proc.resolve(pid).resolve("ns"));
    Files.createSymbolicLink(dir.resolve("mnt"), Path.of(ns));
    Files.writeString(proc.resolve(pid).resolve("mountinfo"), mountinfo);
  }
}
