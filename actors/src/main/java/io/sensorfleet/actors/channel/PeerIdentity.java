package io.sensorfleet.actors.channel;

import java.util.List;
import java.util.Objects;

/**
 * Who is on the other end of an accepted connection, as the kernel says (SO_PEERCRED: the process that called
 * {@code connect}) and as {@code /proc/<pid>/cgroup} said right after the accept.
 *
 * @param pid the peer's process id in the host's pid namespace
 * @param uid the peer's user id on the host (a container's mapped uid)
 * @param gid the peer's primary group id on the host
 * @param cgroup the contents of {@code /proc/<pid>/cgroup}, empty if it could not be read (the process had gone)
 * @param cmdline the arguments in {@code /proc/<pid>/cmdline}, empty if they could not be read
 */
public record PeerIdentity(long pid, long uid, long gid, String cgroup, List<String> cmdline) {

  public PeerIdentity {
    Objects.requireNonNull(cgroup, "cgroup");
    cmdline = List.copyOf(cmdline);
  }

  /** A peer whose command line is not known (tests of cgroup checks). */
  public PeerIdentity(long pid, long uid, long gid, String cgroup) {
    this(pid, uid, gid, cgroup, List.of());
  }

  /** One line for logs and audit details; the cgroup's lines joined with {@code ;}. */
  public String describe() {
    String groups = cgroup.strip().replace('\n', ';');
    return "uid=" + uid + " gid=" + gid + " pid=" + pid + " cgroup=" + (groups.isEmpty() ? "(unreadable)" : groups);
  }
}
