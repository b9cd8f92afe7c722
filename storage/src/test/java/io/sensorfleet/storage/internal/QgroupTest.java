package io.sensorfleet.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class QgroupTest {

  @Test
  void reads_referenced_bytes_and_limit_from_btrfs_progs_6() {
    // btrfs-progs v6.2, Debian 12, after `lxc storage volume create POOL v1 size=50MiB` and a dd that hit it.
    String output = """
        Qgroupid    Referenced    Exclusive  Max referenced  Max exclusive   Path\s
        --------    ----------    ---------  --------------  -------------   ----\s
        0/256         52383744     52383744        52428800           none   custom/default_v1
        """;

    assertEquals(new Qgroup("0/256", 52383744, OptionalLong.of(52428800)), Qgroup.parse(output));
  }

  @Test
  void reads_the_older_format_without_a_path_column() {
    String output = """
        qgroupid         rfer         excl     max_rfer     max_excl\s
        --------         ----         ----     --------     --------\s
        0/258           16384        16384    104857600         none\s
        """;

    assertEquals(new Qgroup("0/258", 16384, OptionalLong.of(104857600)), Qgroup.parse(output));
  }

  @Test
  void an_unlimited_group_has_no_limit() {
    String output = "Qgroupid Referenced Exclusive Max referenced Max exclusive Path\n"
        + "0/5 16384 16384 none none <toplevel>\n";

    assertEquals(OptionalLong.empty(), Qgroup.parse(output).maxReferencedBytes());
  }

  @Test
  void takes_the_subvolume_group_not_a_higher_level_one() {
    String output = "1/100 999 999 5 none\n0/260 4096 4096 8192 none custom/default_x\n";

    assertEquals("0/260", Qgroup.parse(output).id());
  }

  @Test
  void output_without_a_group_is_an_error() {
    assertThrows(IllegalArgumentException.class, () -> Qgroup.parse("ERROR: can't list qgroups: quotas not enabled"));
    assertThrows(IllegalArgumentException.class, () -> Qgroup.parse("0/256 lots 1 2 none"));
  }
}
