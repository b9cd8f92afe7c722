package io.sensorfleet.it.lxd;

import static io.sensorfleet.it.lxd.LxdTestKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.sensorfleet.core.runtime.ContainerFile;
import io.sensorfleet.core.runtime.Device;
import io.sensorfleet.core.runtime.ExecResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Instrument bus without a proxy device: the platform listens on a unix socket in a per-Instrument host
 * directory, bind-mounted into the container as a {@code disk} device; a client inside connects, and the host
 * learns who it is from the socket's peer credentials.
 */
class SocketDirectoryIT {

  @RegisterExtension
  static final LxdTestKit kit = new LxdTestKit();
  static byte[] client;
  static final ExecutorService SERVER = Executors.newVirtualThreadPerTaskExecutor();

  @BeforeAll
  static void connect() throws Exception {
    client = compileClient();
  }

  @AfterAll
  static void cleanUp() throws Exception {
    SERVER.shutdownNow();
  }

  @Test
  void a_client_in_the_container_reaches_the_host_socket_and_the_host_sees_the_containers_uid() throws Exception {
    Path dir = kit.hostDirectory("bus");
    Path socket = dir.resolve("bus.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      // Root in the container is an unprivileged host uid: "other" to this root-owned socket.
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
      String name = kit.running(kit.spec("bus").withDevice("bus", new Device.Disk(dir.toString(), "/run/bus", false)));
      await(kit.lxd.pushFile(name, "/bus-client", new ContainerFile(client, 0, 0, 0755)));

      CompletableFuture<Peer> served = CompletableFuture.supplyAsync(() -> serveOnce(server), SERVER);
      ExecResult result = await(kit.lxd.exec(name, "/bus-client", "/run/bus/bus.sock", "hello"));
      Peer peer = served.get(10, TimeUnit.SECONDS);

      assertEquals(new ExecResult(0, "ack hello\n", ""), result);
      assertEquals("hello", peer.message());
      long rootHostUid = await(kit.lxd.info(name)).rootHostUid().orElseThrow();
      // No passwd entry on the host for the container's range, so the JDK names the ids by number.
      assertEquals(Long.toString(rootHostUid), peer.user());
      assertEquals(Long.toString(rootHostUid), peer.group());
      assertNotEquals("0", peer.user());
    }
  }

  /** What the host learnt from one connection. */
  record Peer(String user, String group, String message) {}

  /**
   * Accepts one connection, answers its line with {@code ack <line>}. SO_PEERCRED through the JDK gives the uid and
   * gid only; the pid (for {@code /proc/<pid>/cgroup}, which names the container) needs getsockopt via FFM.
   */
  private static Peer serveOnce(ServerSocketChannel server) {
    try (SocketChannel ch = server.accept()) {
      UnixDomainPrincipal principal = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
      var line = new StringBuilder();
      ByteBuffer buffer = ByteBuffer.allocate(256);
      while (line.indexOf("\n") < 0 && ch.read(buffer.clear()) > 0) {
        line.append(StandardCharsets.UTF_8.decode(buffer.flip()));
      }
      String message = line.toString().strip();
      ch.write(StandardCharsets.UTF_8.encode("ack " + message + "\n"));
      return new Peer(principal.user().getName(), principal.group().getName(), message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Busybox's nc has no unix sockets: a static C client runs in any image. */
  private static byte[] compileClient() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("sft-client");
    try {
      Path source = dir.resolve("bus-client.c");
      try (InputStream in = SocketDirectoryIT.class.getResourceAsStream("/lxd/bus-client.c")) {
        Files.write(source, in.readAllBytes());
      }
      Path binary = dir.resolve("bus-client");
      Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", binary.toString(), source.toString())
          .redirectErrorStream(true).start();
      String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (gcc.waitFor() != 0) {
        fail("gcc -static failed (needs gcc and libc6-dev):\n" + output);
      }
      return Files.readAllBytes(binary);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }
}
