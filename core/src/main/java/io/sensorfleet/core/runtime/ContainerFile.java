package io.sensorfleet.core.runtime;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A regular file's bytes with its owner and mode inside the container (uid and gid as the container sees them,
 * mode as in {@code 0640}). The whole file is held in memory: this is for configuration and small artefacts.
 */
public record ContainerFile(byte[] content, int uid, int gid, int mode) {

  public ContainerFile {
    content = content.clone();
    if (uid < 0 || gid < 0 || mode < 0 || mode > 07777) {
      throw new IllegalArgumentException("invalid owner or mode " + uid + ":" + gid + " " + Integer.toOctalString(mode));
    }
  }

  /** A root-owned file with mode 0644. */
  public static ContainerFile of(byte[] content) {
    return new ContainerFile(content, 0, 0, 0644);
  }

  @Override
  public byte[] content() {
    return content.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ContainerFile f
        && uid == f.uid && gid == f.gid && mode == f.mode && Arrays.equals(content, f.content);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * Arrays.hashCode(content) + uid) + gid) + mode;
  }

  @Override
  public String toString() {
    String head = HexFormat.of().formatHex(content, 0, Math.min(content.length, 16));
    return "ContainerFile[" + content.length + " bytes " + head + (content.length > 16 ? "...": "")
        + ", uid=" + uid + ", gid=" + gid + ", mode=0" + Integer.toOctalString(mode) + "]";
  }
}
