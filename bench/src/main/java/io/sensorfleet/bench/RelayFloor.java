package io.sensorfleet.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The floor under the bus benchmark's latency: the least a process between two unix sockets can do to carry the
 * bench's messages — read A's {@code send} lines, rewrite each head into a {@code deliver}, write them to B — with no
 * framework, no decoding, no policy, no actor. It answers the bench client's {@code hello} with a bare
 * {@code welcome}, so {@link MessagingBench}'s own clients, pacing and receiver measure it exactly as they measure the
 * platform, in a JVM of its own with the same options. A reader thread hands each read's rewritten bytes to a writer
 * thread through a queue: the least an actor design needs (the socket's reader, and the actor that decides and
 * writes). {@code bench/floors/relay.c} is the same in one C thread.
 *
 * <p>Usage (started by {@link MessagingBench}): {@code RelayFloor ROOT}; listens on {@code ROOT/bench-a/bus.sock} and
 * {@code ROOT/bench-b/bus.sock}, says {@code ready}, serves one pair of connections after another, and ends with its
 * input.
 */
public final class RelayFloor {

  private static final byte[] SEND_HEAD = "{\"type\":\"send\",\"to\":\"bench-b\",\"payload\":"
      .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DELIVER_HEAD = "{\"type\":\"deliver\",\"from\":\"bench-a\",\"payload\":"
      .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] WELCOME = "{\"type\":\"welcome\"}\n".getBytes(StandardCharsets.US_ASCII);

  private RelayFloor() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    ServerSocketChannel a = listen(root.resolve("bench-a"));
    ServerSocketChannel b = listen(root.resolve("bench-b"));
    System.out.println("ready");
    System.out.flush();
    Thread.ofPlatform().daemon().start(() -> {
      try {
        while (System.in.read() >= 0) {
          // the bench closes its end to stop this process
        }
      } catch (IOException e) {
        // the bench is gone
      }
      System.exit(0);
    });
    while (true) {
      try (SocketChannel from = welcome(a.accept()); SocketChannel to = welcome(b.accept())) {
        relay(from, to);
      } catch (IOException e) {
        // this pair closed: serve the next
      }
    }
  }

  private static ServerSocketChannel listen(Path dir) throws IOException {
    Files.createDirectories(dir);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(dir.resolve("bus.sock")));
    return server;
  }

  /** Reads the client's hello line and answers it. */
  private static SocketChannel welcome(SocketChannel channel) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    do {
      one.clear();
      if (channel.read(one) < 0) {
        throw new IOException("closed before its hello");
      }
    } while (one.get(0) != '\n');
    channel.write(ByteBuffer.wrap(WELCOME));
    return channel;
  }

  /** A reader thread rewrites each read and hands the bytes to this thread, which writes all that is waiting. */
  private static void relay(SocketChannel from, SocketChannel to) throws IOException {
    BlockingQueue<byte[]> handOff = new ArrayBlockingQueue<>(1024);
    byte[] end = new byte[0];
    Thread reader = Thread.ofPlatform().daemon().start(() -> {
      ByteBuffer in = ByteBuffer.allocate(1 << 20);
      ByteBuffer out = ByteBuffer.allocate(2 << 20);
      try {
        while (from.read(in) >= 0) {
          rewrite(in, out);
          handOff.put(Arrays.copyOf(out.array(), out.position()));
          out.clear();
        }
      } catch (IOException | InterruptedException e) {
        // closed
      }
      handOff.add(end);
    });
    List<byte[]> waiting = new ArrayList<>();
    try {
      while (true) {
        waiting.add(handOff.take());
        handOff.drainTo(waiting);
        for (byte[] bytes : waiting) {
          if (bytes == end) {
            return;
          }
          ByteBuffer buffer = ByteBuffer.wrap(bytes);
          while (buffer.hasRemaining()) {
            to.write(buffer);
          }
        }
        waiting.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      reader.interrupt();
    }
  }

  /** Moves the complete lines of {@code in} to {@code out}, each {@code send} head rewritten as a {@code deliver}. */
  private static void rewrite(ByteBuffer in, ByteBuffer out) {
    byte[] a = in.array();
    int end = in.position();
    int start = 0;
    for (int i = 0; i < end; i++) {
      if (a[i] == '\n') {
        if (Arrays.equals(a, start, Math.min(start + SEND_HEAD.length, end), SEND_HEAD, 0, SEND_HEAD.length)) {
          out.put(DELIVER_HEAD).put(a, start + SEND_HEAD.length, i + 1 - start - SEND_HEAD.length);
        }
        start = i + 1;
      }
    }
    System.arraycopy(a, start, a, 0, end - start);
    in.position(end - start);
  }
}
