package io.sensorfleet.core.runtime;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A device of a container, as LXD names them. The records hold exactly the options the platform uses; a device
 * read back from the manager with other options comes back as {@link Other}, so nothing is lost on the way.
 */
public sealed interface Device {

  /** A host directory or file mounted at {@code path} inside the container ({@code disk} device). */
  record Disk(String source, String path, boolean readonly) implements Device {
    public Disk {
      requireAbsolute("disk source", source);
      requireAbsolute("disk path", path);
    }
  }

  /** A custom storage volume of {@code pool} mounted at {@code path} ({@code disk} device with a pool). */
  record Volume(String pool, String volume, String path) implements Device {
    public Volume {
      requireText("volume pool", pool);
      requireText("volume name", volume);
      requireAbsolute("volume path", path);
    }
  }

  /**
   * Forwards connections from {@code listen} to {@code connect} ({@code proxy} device), addresses written as
   * LXD does ({@code unix:/run/ui.sock}, {@code tcp:127.0.0.1:8080}). {@code bind} says on which side
   * {@code listen} is; {@code socketPermissions} applies to a unix {@code listen} socket. Each proxy device costs
   * about a second at start: prefer a bind-mounted socket directory ({@link Disk}) where both sides speak unix
   * sockets.
   */
  record Proxy(String listen, String connect, Bind bind, Optional<SocketPermissions> socketPermissions)
      implements Device {
    public Proxy {
      requireText("proxy listen", listen);
      requireText("proxy connect", connect);
      Objects.requireNonNull(bind, "proxy bind");
      Objects.requireNonNull(socketPermissions, "proxy socket permissions");
    }

    /** A proxy without socket permissions (LXD's default: owned by root, mode 0644 on the listen side). */
    public Proxy(String listen, String connect, Bind bind) {
      this(listen, connect, bind, Optional.empty());
    }

    public Proxy withSocketPermissions(int uid, int gid, int mode) {
      return new Proxy(listen, connect, bind, Optional.of(new SocketPermissions(uid, gid, mode)));
    }

    /** The side of the proxy that listens. */
    public enum Bind { HOST, CONTAINER }

    /** Owner and mode of a unix listen socket; {@code mode} as in {@code 0660}. */
    public record SocketPermissions(int uid, int gid, int mode) {
      public SocketPermissions {
        if (uid < 0 || gid < 0 || mode < 0 || mode > 07777) {
          throw new IllegalArgumentException("invalid socket permissions " + uid + ":" + gid + " " + mode);
        }
      }
    }
  }

  /** A network interface ({@code nic} device). No Instrument gets one unless its manifest asks. */
  sealed interface Nic extends Device {
    /** The interface name inside the container, e.g. {@code eth0}. */
    String name();
  }

  /**
   * A veth pair with no bridge ({@code nictype=p2p}): {@code hostName} (at most 15 bytes) appears on the host,
   * {@code name} inside. The passive sensor mirrors traffic into it.
   */
  record P2p(String hostName, String name) implements Nic {
    public P2p {
      requireInterfaceName(hostName);
      requireInterfaceName(name);
    }
  }

  /** A veth whose host end {@code hostName} joins the host bridge {@code parent} ({@code nictype=bridged}). */
  record Bridged(String parent, String hostName, String name) implements Nic {
    public Bridged {
      requireInterfaceName(parent);
      requireInterfaceName(hostName);
      requireInterfaceName(name);
    }
  }

  /** A host interface {@code parent} moved into the container as {@code name} ({@code nictype=physical}). */
  record Physical(String parent, String name) implements Nic {
    public Physical {
      requireInterfaceName(parent);
      requireInterfaceName(name);
    }
  }

  /** Any other device, as LXD's {@code type} and options (e.g. a root disk, a {@code unix-char} device). */
  record Other(String type, Map<String, String> options) implements Device {
    public Other {
      requireText("device type", type);
      options = Map.copyOf(options);
      if (options.containsKey("type")) {
        throw new IllegalArgumentException("device options must not repeat 'type'");
      }
    }
  }

  private static void requireText(String what, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " is missing");
    }
  }

  private static void requireAbsolute(String what, String path) {
    requireText(what, path);
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException(what + " must be an absolute path: " + path);
    }
  }

  /** Linux interface names: 1 to 15 bytes, no '/', ':' or white space. */
  private static void requireInterfaceName(String name) {
    if (name == null || name.isEmpty() || name.length() > 15 || !name.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("invalid network interface name '" + name + "' (1 to 15 characters)");
    }
  }
}
