package io.sensorfleet.actors.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BusSocketTest {

  static final InstrumentId IDS = InstrumentId.of("ids");
  static final BusSocket.Owner NOBODY_USER = new BusSocket.Owner(65534, 65534);
  static final BusSocket.Owner OTHER_USER = new BusSocket.Owner(65533, 65533);

  final ChannelFixtures fixtures = new ChannelFixtures();
  final BlockingQueue<BusConnection> accepted = new LinkedBlockingQueue<>();
  final BusSocket.Listener collect = new BusSocket.Listener() {
    @Override
    public void accepted(BusConnection connection) {
      BusSocketTest.this.accepted.add(connection);
    }

    @Override
    public void acceptFailed(Throwable cause) {
      throw new AssertionError(cause);
    }
  };

  @AfterEach
  void cleanUp() throws IOException {
    accepted.forEach(BusConnection::close);
    fixtures.close();
  }

  BusSocket open(Path root, BusSocket.Owner owner) throws IOException {
    BusSocket socket = BusSocket.open(root, IDS, owner, collect, Duration.ofMillis(100));
    socket.startAccepting();
    return socket;
  }

  @Test
  void creates_the_directory_0700_and_the_socket_0600_owned_by_the_given_user() throws IOException {
    try (BusSocket socket = open(fixtures.newRoot(), NOBODY_USER)) {
      assertEquals("rwx------", permissions(socket.directory()));
      assertEquals("rw-------", permissions(socket.socketPath()));
      assertEquals(65534, Files.getAttribute(socket.directory(), "unix:uid"));
      assertEquals(65534, Files.getAttribute(socket.directory(), "unix:gid"));
      assertEquals(65534, Files.getAttribute(socket.socketPath(), "unix:uid"));
      assertEquals(65534, Files.getAttribute(socket.socketPath(), "unix:gid"));
      assertTrue(Files.readAttributes(socket.socketPath(), "unix:mode").get("mode") instanceof Integer mode
          && (mode & 0170000) == 0140000, "bus.sock is a socket");
    }
  }

  @Test
  void creates_a_missing_runtime_root_traversable_only() throws IOException {
    Path root = fixtures.newRoot();
    try (BusSocket socket = open(root, NOBODY_USER)) {
      assertEquals(root.resolve("ids").resolve("bus.sock"), socket.socketPath());
      assertEquals("rwx--x--x", permissions(root));
    }
  }

  @Test
  void accepts_connections_with_the_peers_pid_uid_and_cgroup() throws Exception {
    try (BusSocket socket = open(fixtures.newRoot(), ChannelFixtures.currentUser());
         SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket.socketPath()))) {
      BusConnection connection = accepted.poll(5, TimeUnit.SECONDS);
      assertNotNull(connection, "accepted within 5 s");
      PeerIdentity peer = connection.peer();
      assertEquals(ProcessHandle.current().pid(), peer.pid());
      assertEquals(ChannelFixtures.currentUser().uid(), peer.uid());
      assertEquals(Files.readString(Path.of("/proc/self/cgroup")), peer.cgroup());
      assertTrue(client.isConnected());
    }
  }

  @Test
  void writes_of_many_buffers_arrive_whole_and_in_order_across_several_gathered_system_calls() throws Exception {
    // A small write first (its gather buffer is small), then frames of uneven sizes, together more than two full
    // gather buffers, so the buffer grows and some frames straddle its end.
    byte[] small = "small\n".getBytes(StandardCharsets.US_ASCII);
    List<ByteBuffer> frames = new ArrayList<>();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(small);
    for (int k = 0; expected.size() <= 2 * BusConnection.GATHER_BYTES + 1; k++) {
      byte[] frame = ("frame " + k + " " + "x".repeat(k % 997) + "\n").getBytes(StandardCharsets.US_ASCII);
      frames.add(ByteBuffer.wrap(frame));
      expected.write(frame);
    }
    try (BusSocket socket = open(fixtures.newRoot(), ChannelFixtures.currentUser());
         SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket.socketPath()))) {
      BusConnection connection = accepted.poll(5, TimeUnit.SECONDS);
      assertNotNull(connection, "accepted within 5 s");
      ByteBuffer received = ByteBuffer.allocate(expected.size());
      try (ExecutorService writer = Executors.newSingleThreadExecutor()) {
        var written = CompletableFuture.runAsync(() -> {
          try {
            connection.write(List.of(ByteBuffer.wrap(small)));
            connection.write(frames);
          } catch (IOException e) {
            connection.close();  // ends the read below
            throw new UncheckedIOException(e);
          }
        }, writer);
        while (received.hasRemaining() && client.read(received) >= 0) {
          // until all expected bytes are in
        }
        written.get(5, TimeUnit.SECONDS);
      }
      assertEquals(new String(expected.toByteArray(), StandardCharsets.US_ASCII),
          new String(received.array(), StandardCharsets.US_ASCII));
      assertTrue(frames.stream().noneMatch(ByteBuffer::hasRemaining), "every buffer consumed");
    }
  }

  @Test
  void replaces_a_stale_socket_left_by_an_earlier_run() throws Exception {
    Path root = fixtures.newRoot();
    Path stale;
    try (BusSocket first = open(root, NOBODY_USER)) {
      stale = first.socketPath();
    }
    // An earlier run that crashed leaves its socket file behind: make one with a listener that is gone.
    try (var orphan = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      orphan.bind(UnixDomainSocketAddress.of(stale));
    }
    assertTrue(Files.exists(stale, LinkOption.NOFOLLOW_LINKS));
    try (BusSocket second = open(root, ChannelFixtures.currentUser());
         SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(second.socketPath()))) {
      assertNotNull(accepted.poll(5, TimeUnit.SECONDS), "the new socket accepts");
      assertTrue(client.isConnected());
    }
  }

  @Test
  void refuses_to_replace_a_file_that_is_not_a_socket() throws IOException {
    Path root = fixtures.newRoot();
    Files.createDirectories(root.resolve("ids"));
    Files.writeString(root.resolve("ids").resolve("bus.sock"), "not a socket");
    IOException e = assertThrows(IOException.class, () -> open(root, NOBODY_USER));
    assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
  }

  @Test
  void refuses_a_socket_path_over_107_bytes_with_a_clear_error() throws IOException {
    Path root = fixtures.newRoot().resolve("x".repeat(90));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(root, NOBODY_USER));
    assertTrue(e.getMessage().contains("107-byte limit"), e.getMessage());
    assertFalse(Files.exists(root), "nothing was created");
  }

  @Test
  void close_ends_the_accept_loop() throws Exception {
    BusSocket socket = open(fixtures.newRoot(), NOBODY_USER);
    socket.close();
    socket.acceptThread().join(5_000);
    assertFalse(socket.acceptThread().isAlive());
  }

  @Test
  void connections_wait_in_the_backlog_until_accepting_starts() throws Exception {
    try (BusSocket socket = BusSocket.open(fixtures.newRoot(), IDS, ChannelFixtures.currentUser(), collect,
             Duration.ofMillis(100));
         SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket.socketPath()))) {
      assertTrue(client.isConnected());
      assertEquals(null, accepted.poll(100, TimeUnit.MILLISECONDS), "nothing reported before startAccepting");
      socket.startAccepting();
      assertNotNull(accepted.poll(5, TimeUnit.SECONDS), "reported once accepting");
    }
  }

  @Test
  void close_removes_the_socket_and_keeps_the_directory() throws IOException {
    BusSocket socket = open(fixtures.newRoot(), NOBODY_USER);
    socket.close();
    assertFalse(Files.exists(socket.socketPath(), LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.isDirectory(socket.directory()));
    assertThrows(IOException.class,
        () -> SocketChannel.open(UnixDomainSocketAddress.of(socket.socketPath())).close());
  }

  @Test
  void delete_removes_the_directory_with_what_the_instrument_left_in_it() throws IOException {
    BusSocket socket = open(fixtures.newRoot(), NOBODY_USER);
    Files.writeString(socket.directory().resolve("left-behind"), "x");
    socket.delete();
    assertFalse(Files.exists(socket.directory()));
  }

  /** The containment claim: Instrument A's user cannot open Instrument B's socket. */
  @Test
  void another_uid_cannot_connect_to_the_socket() throws Exception {
    try (BusSocket socket = open(fixtures.newRoot(), OTHER_USER)) {
      ConnectAttempt attempt = connectAs(65534, socket.socketPath());
      assertEquals(13, attempt.exitCode(), "EACCES; the client said: " + attempt.output());
      assertTrue(attempt.output().contains("Permission denied"), attempt.output());
    }
  }

  /** The control for the test above: the same client as the owner uid connects. */
  @Test
  void the_owner_uid_can_connect_to_the_socket() throws Exception {
    try (BusSocket socket = open(fixtures.newRoot(), NOBODY_USER)) {
      ConnectAttempt attempt = connectAs(65534, socket.socketPath());
      assertEquals(0, attempt.exitCode(), attempt.output());
      assertNotNull(accepted.poll(5, TimeUnit.SECONDS), "accepted within 5 s");
    }
  }

  record ConnectAttempt(int exitCode, String output) {}

  /** Runs a tiny client as {@code uid} (needs root, as the sensor runs): exit code 0, or the errno of connect. */
  static ConnectAttempt connectAs(int uid, Path socket) throws Exception {
    String client = """
        import socket, sys
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(sys.argv[1])
        except OSError as e:
            print(e.strerror)
            sys.exit(e.errno)
        """;
    Process process = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
        "/usr/bin/python3", "-c", client, socket.toString()).redirectErrorStream(true).start();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the client finished");
    return new ConnectAttempt(process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
  }

  static String permissions(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }
}
