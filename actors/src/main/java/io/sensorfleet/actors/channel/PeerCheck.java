package io.sensorfleet.actors.channel;

import java.util.Objects;
import java.util.Optional;

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
