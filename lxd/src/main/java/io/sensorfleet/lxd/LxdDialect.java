package io.sensorfleet.lxd;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The REST API variant: LXD, or Incus (its fork), whose API is the same for everything the adapter uses except
 * the file API's header names and the socket location. Exec log paths differ too, but the adapter takes them
 * from the operation's result, so they need no switch.
 */
public enum LxdDialect {
  LXD("X-LXD-", "LXD_DIR", Path.of("/var/lib/lxd")),
  INCUS("X-Incus-", "INCUS_DIR", Path.of("/var/lib/incus"));

  private final String fileHeaderPrefix;
  private final String dirVariable;
  private final Path defaultDir;

  LxdDialect(String fileHeaderPrefix, String dirVariable, Path defaultDir) {
    this.fileHeaderPrefix = fileHeaderPrefix;
    this.dirVariable = dirVariable;
    this.defaultDir = defaultDir;
  }

  /** Header name of a file attribute, e.g. {@code X-LXD-uid}. */
  public String fileHeader(String attribute) {
    return fileHeaderPrefix + attribute;
  }

  /** The daemon's socket: in {@code $LXD_DIR} ({@code $INCUS_DIR}) when set, else in the packaged location. */
  public Path defaultSocket(Map<String, String> environment) {
    String dir = environment.get(dirVariable);
    return (dir == null || dir.isBlank() ? defaultDir : Path.of(dir)).resolve("unix.socket");
  }

  public static LxdDialect parse(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "lxd" -> LXD;
      case "incus" -> INCUS;
      default -> throw new IllegalArgumentException("sensor.lxd.dialect must be lxd or incus, not '" + name + "'");
    };
  }
}
