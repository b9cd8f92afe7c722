package io.sensorfleet.actors.channel;

import io.sensorfleet.core.InstrumentId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketCredentials;

/**
 * The listening socket of one Instrument's control channel: {@code <runtime-root>/<id>/bus.sock}, the directory
 * bind-mounted into the Instrument's container at {@code /run/sensorfleet/}. Not an actor: a resource owner that
 * {@code InstrumentChannel} opens, and closes when it stops.
 *
 * <p>Containment: the directory is mode 0700 and the socket 0600, both owned by the host uid/gid the Instrument's
 * user is mapped to, so another Instrument's processes (other uids) cannot even reach the socket. Each accepted
 * connection carries the peer's SO_PEERCRED (pid, uid, gid) and its {@code /proc/<pid>/cgroup}, for the
 * {@link PeerCheck}.
 *
 * <p>Why junixsocket: the JDK's unix sockets give SO_PEERCRED without the pid ({@code UnixDomainPrincipal}), and
 * getting the descriptor of a JDK channel for a getsockopt through FFM needs {@code --add-exports
 * java.base/sun.nio.ch} in every JVM we start and an internal JDK method. junixsocket's
 * {@code getPeerCredentials().getPid()} is public API; its cost is a JNI library (loaded with the
 * {@code --enable-native-access} flag we already pass) and platform threads for everything that blocks: its
 * virtual-thread support is not usable in 2.11.1 (measured: a read blocked on a virtual thread polls a whole core,
 * and with several sockets its "naive" poller lost the wake-up of blocked accepts, which then hung). So the accept
 * loop is one platform thread per Instrument, mostly asleep in {@code accept}.
 */
public final class BusSocket implements AutoCloseable {

  /** File name of the socket in the Instrument's directory; the container sees {@code /run/sensorfleet/bus.sock}. */
  public static final String SOCKET_NAME = "bus.sock";
  /** Linux's {@code sun_path} holds 108 bytes including the terminating NUL. */
  public static final int MAX_PATH_BYTES = 107;
  private static final int MAX_CGROUP_BYTES = 64 * 1024;

  /** Host uid and gid that own the directory and the socket: the container's mapped uid of the Instrument user. */
  public record Owner(int uid, int gid) {}

  /** What the accept loop reports. Called on the accept loop's thread; hand over to an actor, don't block. */
  public interface Listener {
    /** A connection was accepted; the listener owns it now (and must close it). */
    void accepted(BusConnection connection);

    /** {@code accept} failed while the socket was open; the loop goes on after the configured pause. */
    void acceptFailed(Throwable cause);
  }

  private final InstrumentId instrument;
  private final Path directory;
  private final Path socketPath;
  private final AFUNIXServerSocketChannel server;
  private final Thread acceptLoop;
  private volatile boolean closed;

  private BusSocket(InstrumentId instrument, Path directory, Path socketPath, AFUNIXServerSocketChannel server,
                    Listener listener, Duration retryDelay) {
    this.instrument = instrument;
    this.directory = directory;
    this.socketPath = socketPath;
    this.server = server;
    this.acceptLoop = Thread.ofPlatform().daemon().name("bus-accept-" + instrument.value()).unstarted(
        () -> acceptLoop(listener, retryDelay));
  }

  /**
   * Creates {@code <runtimeRoot>/<id>/} (0700) and binds {@code bus.sock} (0600) in it, both owned by
   * {@code owner}, replacing a stale socket left by an earlier run. Connections wait in the backlog until
   * {@link #startAccepting()}, so the owner is ready for them before the first is reported. Creates
   * {@code runtimeRoot} (0711, traversable only) if missing. A few quick file-system calls: run it off actor threads.
   *
   * @throws IllegalArgumentException if the socket path is longer than {@value #MAX_PATH_BYTES} bytes
   * @throws IOException if the directory or socket cannot be prepared (e.g. {@code bus.sock} is not a socket)
   */
  public static BusSocket open(Path runtimeRoot, InstrumentId instrument, Owner owner, Listener listener,
                               Duration acceptRetryDelay) throws IOException {
    Objects.requireNonNull(listener, "listener");
    Path directory = runtimeRoot.resolve(instrument.value());
    Path socketPath = directory.resolve(SOCKET_NAME);
    int pathBytes = socketPath.toString().getBytes(StandardCharsets.UTF_8).length;
    if (pathBytes > MAX_PATH_BYTES) {
      throw new IllegalArgumentException("socket path " + socketPath + " is " + pathBytes + " bytes, over the "
          + MAX_PATH_BYTES + "-byte limit of unix socket paths: choose a shorter sensor.channel.runtime-root");
    }
    if (!Files.isDirectory(runtimeRoot, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(runtimeRoot);
      Files.setPosixFilePermissions(runtimeRoot, PosixFilePermissions.fromString("rwx--x--x"));
    }
    prepareDirectory(directory);
    // The directory is ours alone (this process's, 0700) until the socket is ready, so nothing the Instrument left
    // in it can be swapped for a symlink between the bind and the chmod/chown below.
    removeStaleSocket(socketPath);
    AFUNIXServerSocketChannel server = AFUNIXServerSocketChannel.open();
    try {
      server.bind(AFUNIXSocketAddress.of(socketPath));
      Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-------"));
      chown(socketPath, owner);
      chown(directory, owner);
    } catch (IOException | RuntimeException e) {
      server.close();
      Files.deleteIfExists(socketPath);
      throw e;
    }
    return new BusSocket(instrument, directory, socketPath, server, listener, acceptRetryDelay);
  }

  /** Starts the accept loop (once; later calls do nothing). */
  public synchronized void startAccepting() {
    if (!closed && acceptLoop.getState() == Thread.State.NEW) {
      acceptLoop.start();
    }
  }

  /** The accept loop's thread, for tests that check it ends. */
  Thread acceptThread() {
    return acceptLoop;
  }

  public InstrumentId instrument() {
    return instrument;
  }

  /** {@code <runtime-root>/<id>}: bind-mount this into the container. */
  public Path directory() {
    return directory;
  }

  public Path socketPath() {
    return socketPath;
  }

  /** Stops accepting and removes the socket file; the directory stays (it is mounted in the container). Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // The descriptor is released either way.
    }
    try {
      Files.deleteIfExists(socketPath);
    } catch (IOException e) {
      // A leftover socket file is harmless: the next open replaces it.
    }
  }

  /** {@link #close()}, then removes the directory with whatever the Instrument left in it: the Instrument is gone. */
  public void delete() throws IOException {
    close();
    deleteTree(directory);
  }

  private void acceptLoop(Listener listener, Duration retryDelay) {
    while (!closed) {
      AFUNIXSocketChannel channel;
      try {
        channel = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
        listener.acceptFailed(e);
        LockSupport.parkNanos(retryDelay.toNanos());
        continue;
      }
      if (channel == null) {
        continue;
      }
      PeerIdentity peer;
      try {
        AFUNIXSocketCredentials credentials = channel.getPeerCredentials();
        peer = new PeerIdentity(credentials.getPid(), credentials.getUid(), credentials.getGid(),
            readCgroup(credentials.getPid()), readCmdline(credentials.getPid()));
      } catch (IOException | RuntimeException e) {
        closeQuietly(channel);
        listener.acceptFailed(e);
        continue;
      }
      listener.accepted(new BusConnection(channel, peer));
    }
  }

  /** The process's arguments; empty if it has already gone. */
  static List<String> readCmdline(long pid) {
    if (pid <= 0) {
      return List.of();
    }
    try (InputStream in = Files.newInputStream(Path.of("/proc", Long.toString(pid), "cmdline"))) {
      String raw = new String(in.readNBytes(MAX_CGROUP_BYTES), StandardCharsets.UTF_8);
      return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Empty if the process has already gone (its pid may then be reused: the check must fail, and does). */
  static String readCgroup(long pid) {
    if (pid <= 0) {
      return "";
    }
    try (InputStream in = Files.newInputStream(Path.of("/proc", Long.toString(pid), "cgroup"))) {
      return new String(in.readNBytes(MAX_CGROUP_BYTES), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static void prepareDirectory(Path directory) throws IOException {
    if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(directory + " exists and is not a directory");
      }
    } else {
      Files.createDirectory(directory);
    }
    // Take it back from the Instrument while the socket is prepared; handed over again once it is ready.
    Path self = Path.of("/proc/self");
    Files.setAttribute(directory, "unix:uid", Files.getAttribute(self, "unix:uid"), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(directory, "unix:gid", Files.getAttribute(self, "unix:gid"), LinkOption.NOFOLLOW_LINKS);
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
  }

  private static void removeStaleSocket(Path socketPath) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(socketPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return;
    }
    if (!attributes.isOther()) {
      throw new IOException(socketPath + " exists and is not a socket: remove it by hand");
    }
    Files.delete(socketPath);
  }

  private static void chown(Path path, Owner owner) throws IOException {
    Files.setAttribute(path, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
  }

  private static void closeQuietly(AFUNIXSocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Already unusable.
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
        if (failure != null) {
          throw failure;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
