package io.sensorfleet.storage.internal;

import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * A btrfs subvolume's quota group as {@code btrfs qgroup show -reF --raw PATH} prints it: bytes referenced and the
 * limit on them (none when unlimited).
 */
public record Qgroup(String id, long referencedBytes, OptionalLong maxReferencedBytes) {

  private static final Pattern LEVEL0 = Pattern.compile("0/\\d+");

  /**
   * Parses the output: a header, a dashes line, then one row per quota group, columns {@code qgroupid rfer excl
   * max_rfer max_excl [path]} (btrfs-progs 6 names them {@code Referenced ... Path}). Only the subvolume's own
   * group (level 0, {@code 0/<subvolume id>}) is taken; higher levels would be shared groups.
   *
   * @throws IllegalArgumentException if no such row is there
   */
  public static Qgroup parse(String output) {
    for (String line : output.split("\n")) {
      String[] cols = line.strip().split("\\s+");
      if (cols.length >= 5 && LEVEL0.matcher(cols[0]).matches()) {
        try {
          long referenced = Long.parseLong(cols[1]);
          OptionalLong max = cols[3].equals("none") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(cols[3]));
          return new Qgroup(cols[0], referenced, max);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("unexpected btrfs qgroup row '" + line.strip() + "'", e);
        }
      }
    }
    throw new IllegalArgumentException("no level-0 quota group in btrfs qgroup output: '" + output.strip() + "'");
  }
}
