package io.sensorfleet.storage.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/** The host commands the storage adapter runs, built here so that they can be checked without running them. */
public final class Commands {

  /** gocryptfs' exit code for a password that does not decrypt the master key. */
  public static final int GOCRYPTFS_PASSWORD_INCORRECT = 12;

  private final String gocryptfs;
  private final int scryptN;

  public Commands(String gocryptfs, int scryptN) {
    this.gocryptfs = gocryptfs;
    this.scryptN = scryptN;
  }

  /**
   * Creates the encrypted directory {@code cipherDir} (it must be empty). The key reaches gocryptfs as its
   * password, hex-encoded on standard input, never on the command line where {@code ps} would show it.
   */
  public CommandLine gocryptfsInit(Path cipherDir, byte[] key) {
    return CommandLine.of(gocryptfs, "-init", "-q", "-scryptn", Integer.toString(scryptN), "--", cipherDir.toString())
        .withStdin(password(key));
  }

  /**
   * Mounts the decrypted view of {@code cipherDir} at {@code mountPoint}. {@code -allow_other}: the container's
   * processes are other users than the root that mounts it; the kernel still checks file permissions
   * ({@code default_permissions} comes with it). gocryptfs itself mounts {@code nosuid,nodev}, detects btrfs and
   * turns preallocation off there, and as root creates each file with the caller's uid. {@code fsName} is what
   * the mount tables (also the container's) show as its source, instead of the host path of the encrypted data.
   * It forks a daemon and exits once the mount is ready; the daemon outlives the sensor's JVM.
   */
  public CommandLine gocryptfsMount(Path cipherDir, Path mountPoint, String fsName, byte[] key, Path log) {
    return CommandLine.of(gocryptfs, "-q", "-nosyslog", "-allow_other", "-fsname", fsName, "--",
            cipherDir.toString(), mountPoint.toString())
        .withStdin(password(key))
        .withStderrLog(log);
  }

  /**
   * Mounts an empty tmpfs of at most {@code sizeBytes} at {@code mountPoint}, root-owned and closed to others
   * (the adapter creates the Instrument's directory in it).
   */
  public static CommandLine mountTmpfs(Path mountPoint, long sizeBytes, String source) {
    return CommandLine.of("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes + ",mode=0700,nosuid,nodev", source,
        mountPoint.toString());
  }

  public static CommandLine umount(Path mountPoint) {
    return CommandLine.of("umount", mountPoint.toString());
  }

  /** Detaches a mount whose FUSE daemon died ("Transport endpoint is not connected"): no I/O reaches it. */
  public static CommandLine umountLazy(Path mountPoint) {
    return CommandLine.of("umount", "-l", mountPoint.toString());
  }

  /**
   * The quota group of the btrfs subvolume at {@code path}: referenced bytes and limit, as plain numbers.
   * {@code --sync} commits the filesystem first: btrfs accounts quota groups at each commit, so without it the
   * last seconds of writes would be missing (measured: 16 of 20 MiB shown right after a write).
   */
  public static CommandLine qgroupShow(Path path) {
    return CommandLine.of("btrfs", "qgroup", "show", "-reF", "--raw", "--sync", path.toString());
  }

  /** The password gocryptfs gets for a key: its bytes as lower-case hex, one line. */
  static byte[] password(byte[] key) {
    return (HexFormat.of().formatHex(key) + "\n").getBytes(StandardCharsets.US_ASCII);
  }
}
