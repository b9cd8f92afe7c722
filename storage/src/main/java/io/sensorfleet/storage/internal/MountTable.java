package io.sensorfleet.storage.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Mounts as the kernel lists them in {@code /proc/<pid>/mountinfo}. Besides this process's own table, it finds
 * the other mount namespaces that hold a mount of the same filesystem: a running container's bind mount of an
 * Instrument's directory is such a mount, invisible in the host's table, and while it exists unmounting on the
 * host would not end the filesystem (a FUSE daemon would live on, a tmpfs would keep its data).
 */
public final class MountTable {

  private final Path proc;

  public MountTable(Path proc) {
    this.proc = proc;
  }

  public static MountTable system() {
    return new MountTable(Path.of("/proc"));
  }

  /** One line of mountinfo: the filesystem's device ({@code major:minor}) identifies it across namespaces. */
  public record Mount(String device, String root, Path mountPoint, String fsType, String source) {}

  /** This process's mounts, in mount order. */
  public List<Mount> own() throws IOException {
    return parse(Files.readString(proc.resolve("self/mountinfo"), StandardCharsets.UTF_8));
  }

  /** The mount that is visible at {@code mountPoint} (the last one mounted there), if any. */
  public Optional<Mount> at(Path mountPoint) throws IOException {
    return at(own(), mountPoint);
  }

  static Optional<Mount> at(List<Mount> mounts, Path mountPoint) {
    Path wanted = mountPoint.toAbsolutePath().normalize();
    Mount found = null;
    for (Mount m : mounts) {
      if (m.mountPoint().equals(wanted)) {
        found = m;
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * One pid for each mount namespace other than this process's own that has a mount of the filesystem
   * {@code device}. Processes that end while they are looked at are skipped.
   */
  public List<Long> otherNamespacesWith(String device) throws IOException {
    String own = Files.readSymbolicLink(proc.resolve("self/ns/mnt")).toString();
    Set<String> seen = new HashSet<>();
    seen.add(own);
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, p -> isPid(p.getFileName().toString()))) {
      for (Path pidDir : entries) {
        try {
          String ns = Files.readSymbolicLink(pidDir.resolve("ns/mnt")).toString();
          if (!seen.add(ns)) {
            continue;
          }
          String table = Files.readString(pidDir.resolve("mountinfo"), StandardCharsets.UTF_8);
          if (parse(table).stream().anyMatch(m -> m.device().equals(device))) {
            pids.add(Long.parseLong(pidDir.getFileName().toString()));
          }
        } catch (IOException e) {
          // Gone meanwhile, or a kernel thread without a namespace link.
        }
      }
    }
    return pids;
  }

  /** {@code pid} and its command line (at most 200 characters), or just the pid once it has gone. */
  public String describe(long pid) {
    try {
      String cmdline = Files.readString(proc.resolve(pid + "/cmdline"), StandardCharsets.UTF_8)
          .replace('\0', ' ').strip();
      return pid + " " + (cmdline.length() > 200 ? cmdline.substring(0, 200) + "..." : cmdline);
    } catch (IOException e) {
      return pid + " (gone)";
    }
  }

  /**
   * Parses mountinfo ({@code proc(5)}): {@code id parent major:minor root mountpoint options [optional...] -
   * fstype source superoptions}, with space, tab, newline and backslash escaped as octal ({@code \040}).
   */
  public static List<Mount> parse(String mountinfo) {
    List<Mount> mounts = new ArrayList<>();
    for (String line : mountinfo.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(" ");
      int dash = -1;
      for (int i = 6; i < f.length; i++) {
        if (f[i].equals("-")) {
          dash = i;
          break;
        }
      }
      if (f.length < 7 || dash < 0 || dash + 2 >= f.length) {
        throw new IllegalArgumentException("unexpected mountinfo line: " + line);
      }
      mounts.add(new Mount(f[2], unescape(f[3]), Path.of(unescape(f[4])), unescape(f[dash + 1]),
          unescape(f[dash + 2])));
    }
    return mounts;
  }

  static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && isOctal(field, i + 1)) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }

  private static boolean isPid(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
