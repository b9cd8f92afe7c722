package io.sensorfleet.actors.channel;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * Decides whether the process on the other end of an accepted connection may speak for the socket's Instrument.
 * The socket's directory permissions already keep other uids out; this check is the second lock, and the one that
 * tells containers apart when they share a uid range.
 *
 * <p>Production uses {@link #lxdContainer(String)}; tests on the host inject a check matching the test process.
 */
@FunctionalInterface
public interface PeerCheck {

  /** Empty when {@code peer} is accepted, else why not (for the audit record; printable, no secrets). */
  Optional<String> refusal(PeerIdentity peer);

  /** Both checks must accept; the first refusal wins. */
  default PeerCheck and(PeerCheck other) {
    Objects.requireNonNull(other, "other");
    return peer -> {
      Optional<String> first = refusal(peer);
      return first.isPresent() ? first : other.refusal(peer);
    };
  }

  /** Either check may accept; when both refuse, both reasons are given. */
  default PeerCheck or(PeerCheck other) {
    Objects.requireNonNull(other, "other");
    return peer -> {
      Optional<String> first = refusal(peer);
      if (first.isEmpty()) {
        return first;
      }
      return other.refusal(peer).map(second -> first.get() + "; " + second);
    };
  }

  /**
   * The peer is LXD's {@code forkproxy} for a proxy device whose listening end is inside container
   * {@code containerName} (a {@code control: tcp} Instrument's 127.0.0.1:7070): it runs as host root with the
   * command line {@code lxd forkproxy -- <listen pid> <fd> <listen address> ...}, and the listen pid runs in the
   * container's cgroup. Only LXD (host root) can start such a process; a container's own processes have mapped
   * uids, and another container's proxy names another container's pid.
   *
   */
  static PeerCheck lxdProxy(String containerName) {
    return lxdProxy(containerName, BusSocket::readCgroup);
  }

  /** {@link #lxdProxy(String)} with the cgroup reader given (tests). */
  static PeerCheck lxdProxy(String containerName, LongFunction<String> cgroupOf) {
    PeerCheck inside = lxdContainer(containerName);
    return peer -> {
      List<String> args = peer.cmdline();
      if (peer.uid() != 0 || args.size() < 4 || !args.get(0).endsWith("lxd") || !args.get(1).equals("forkproxy")
          || !args.get(2).equals("--")) {
        return Optional.of("the peer is not LXD's forkproxy");
      }
      long listenPid;
      try {
        listenPid = Long.parseLong(args.get(3));
      } catch (NumberFormatException e) {
        return Optional.of("the peer's forkproxy names no listening pid");
      }
      return inside.refusal(new PeerIdentity(listenPid, 0, 0, cgroupOf.apply(listenPid)))
          .map(reason -> "the peer is a forkproxy listening elsewhere: " + reason);
    };
  }

  /**
   * The peer runs in LXD container {@code containerName}: some line of its {@code /proc/<pid>/cgroup} has a path
   * segment {@code lxc.payload.<containerName>} (LXD's cgroup for a container's processes, on cgroup v1 and v2), and
   * no line names another container. Whole segments are compared, so {@code sf-ids} never matches {@code sf-ids2}.
   */
  static PeerCheck lxdContainer(String containerName) {
    Objects.requireNonNull(containerName, "containerName");
    String expected = "lxc.payload." + containerName;
    return peer -> {
      boolean inside = false;
      for (String line : peer.cgroup().split("\n")) {
        String[] fields = line.split(":", 3);
        if (fields.length < 3) {
          continue;
        }
        for (String segment : fields[2].split("/")) {
          if (segment.equals(expected)) {
            inside = true;
          } else if (segment.startsWith("lxc.payload.")) {
            return Optional.of("the peer runs in another container's cgroup (" + segment + ")");
          }
        }
      }
      return inside ? Optional.empty() : Optional.of("the peer does not run in container " + containerName);
    };
  }

  /** The peer's uid is {@code uid} (the host uid the Instrument's user is mapped to). */
  static PeerCheck uid(long uid) {
    return peer -> peer.uid() == uid ? Optional.empty()
        : Optional.of("the peer runs as uid " + peer.uid() + ", expected " + uid);
  }
}
