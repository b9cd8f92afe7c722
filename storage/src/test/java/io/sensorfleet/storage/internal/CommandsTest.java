package io.sensorfleet.storage.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandsTest {

  static final byte[] KEY = new byte[32];

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) (i * 9);
    }
  }

  final Commands commands = new Commands("gocryptfs", 10);

  @Test
  void init_passes_the_key_as_hex_on_stdin_and_never_in_the_arguments() {
    CommandLine init = commands.gocryptfsInit(Path.of("/pool/custom/default_sf-ids--persistent/cipher"), KEY);

    assertEquals(List.of("gocryptfs", "-init", "-q", "-scryptn", "10", "--",
        "/pool/custom/default_sf-ids--persistent/cipher"), init.argv());
    String password = new String(init.stdin(), StandardCharsets.US_ASCII);
    assertEquals("0009121b242d363f48515a636c757e879099a2abb4bdc6cfd8e1eaf3fc050e17\n", password);
    assertTrue(init.argv().stream().noneMatch(a -> a.contains(password.strip())));
    assertFalse(init.toString().contains(password.strip()), "toString must not show the key");
  }

  @Test
  void mount_allows_other_users_names_the_filesystem_and_logs_to_a_file() {
    CommandLine mount = commands.gocryptfsMount(Path.of("/c"), Path.of("/run/sf/ids/persistent"), "sf-storage-ids",
        KEY, Path.of("/run/sf/ids/gocryptfs.log"));

    assertEquals(List.of("gocryptfs", "-q", "-nosyslog", "-allow_other", "-fsname", "sf-storage-ids", "--", "/c",
        "/run/sf/ids/persistent"), mount.argv());
    assertArrayEquals(Commands.password(KEY), mount.stdin());
    assertEquals(Optional.of(Path.of("/run/sf/ids/gocryptfs.log")), mount.stderrLog());
  }

  @Test
  void paths_that_look_like_options_stay_paths() {
    CommandLine init = commands.gocryptfsInit(Path.of("-cipher"), KEY);

    assertEquals("--", init.argv().get(init.argv().size() - 2));
  }

  @Test
  void tmpfs_is_limited_in_size_and_closed_to_others() {
    assertEquals(List.of("mount", "-t", "tmpfs", "-o", "size=67108864,mode=0700,nosuid,nodev", "sf-transient-ids",
        "/run/sf/ids/transient"), Commands.mountTmpfs(Path.of("/run/sf/ids/transient"), 64L << 20,
        "sf-transient-ids").argv());
  }

  @Test
  void umount_and_qgroup_commands() {
    assertEquals(List.of("umount", "/m"), Commands.umount(Path.of("/m")).argv());
    assertEquals(List.of("umount", "-l", "/m"), Commands.umountLazy(Path.of("/m")).argv());
    assertEquals(List.of("btrfs", "qgroup", "show", "-reF", "--raw", "--sync", "/v"),
        Commands.qgroupShow(Path.of("/v")).argv());
  }

  @Test
  void the_display_form_names_the_tool_without_its_input() {
    CommandLine init = commands.gocryptfsInit(Path.of("/c"), KEY);

    assertEquals("gocryptfs", init.tool());
    assertEquals("gocryptfs -init -q -scryptn 10 -- /c", init.display());
    assertTrue(init.toString().endsWith("<65 bytes on stdin>"));
  }
}
