package io.sensorfleet.capture.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.capture.CaptureEngine;
import io.sensorfleet.capture.CaptureException;
import io.sensorfleet.capture.CaptureStats;
import io.sensorfleet.capture.PortStats;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Capture Engine's control socket ({@code ./sensorfleet capture --control PATH}): a unix socket, mode 0600,
 * speaking newline-delimited JSON ({@link ControlRequest} in, {@link ControlReply} out, one line each, in order).
 * One {@link CaptureEngine} per capture interface; a port is attached to all of them. Connections are served on
 * virtual threads; the engines are thread-safe.
 */
public final class CaptureDaemon implements AutoCloseable {
  /** Longest request line accepted (a filter is at most 1024 characters). */
  static final int MAX_LINE = 16 * 1024;
  private static final long DETACH_WAIT_SECONDS = 5;

  private final List<CaptureEngine> engines;
  private final ServerSocketChannel server;
  private final Path socket;
  private final ObjectMapper mapper = mapper();
  private final Thread acceptor;

  private CaptureDaemon(List<CaptureEngine> engines, ServerSocketChannel server, Path socket) {
    this.engines = List.copyOf(engines);
    this.server = server;
    this.socket = socket;
    this.acceptor = Thread.ofPlatform().name("capture-control").daemon().unstarted(this::acceptLoop);
  }

  /** The JSON configuration both ends use. */
  public static ObjectMapper mapper() {
    return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
        .configure(com.fasterxml.jackson.databind.SerializationFeature.FAIL_ON_EMPTY_BEANS, false);
  }

  /** Binds {@code socket} (replacing a stale one) and serves {@code engines} until {@link #close}. */
  public static CaptureDaemon serve(Path socket, List<CaptureEngine> engines) throws IOException {
    Files.deleteIfExists(socket);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    CaptureDaemon daemon = new CaptureDaemon(engines, server, socket);
    daemon.acceptor.start();
    return daemon;
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel ch = server.accept();
        Thread.ofVirtual().name("capture-control-conn").start(() -> serve(ch));
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        System.err.println("capture: control socket: " + e.getMessage());
      }
    }
  }

  private void serve(SocketChannel ch) {
    try (ch) {
      LineChannel lines = new LineChannel(ch, MAX_LINE);
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        lines.writeLine(mapper.writeValueAsString(handle(line)));
      }
    } catch (IOException e) {
      System.err.println("capture: control connection: " + e.getMessage());
    }
  }

  /** One request line to its reply; never throws. */
  ControlReply handle(String line) {
    ControlRequest request;
    try {
      request = mapper.readValue(line, ControlRequest.class);
    } catch (JsonProcessingException e) {
      return ControlReply.error("not a control request: " + e.getOriginalMessage());
    }
    try {
      return switch (request) {
        case ControlRequest.Attach a -> attach(a.port(), Optional.ofNullable(a.filter()).filter(f -> !f.isBlank()));
        case ControlRequest.Detach d -> detach(d.port());
        case ControlRequest.Stats s -> ControlReply.of(engines.stream().map(CaptureEngine::stats).toList());
      };
    } catch (CaptureException e) {
      return ControlReply.error(e.getMessage());
    } catch (RuntimeException e) {
      return ControlReply.error(e.toString());
    }
  }

  private synchronized ControlReply attach(String port, Optional<String> filter) {
    if (port == null || port.isBlank()) {
      return ControlReply.error("attach needs a port");
    }
    detach(port); // the port's veth may be new (its container restarted): a fresh socket on its new ifindex
    List<CaptureEngine> done = new ArrayList<>();
    try {
      for (CaptureEngine engine : engines) {
        engine.attach(port, filter);
        done.add(engine);
      }
    } catch (CaptureException e) {
      for (CaptureEngine engine : done) {
        engine.detach(port);
      }
      throw e;
    }
    return ControlReply.success();
  }

  private synchronized ControlReply detach(String port) {
    List<PortStats> last = new ArrayList<>();
    for (CaptureEngine engine : engines) {
      if (engine.stats().ports().stream().anyMatch(p -> p.port().equals(port))) {
        try {
          last.add(engine.detach(port).toCompletableFuture().get(DETACH_WAIT_SECONDS, TimeUnit.SECONDS));
        } catch (Exception e) {
          // The branch failed or is slow to close: it is detached all the same.
        }
      }
    }
    return ControlReply.ofPort(port, last);
  }

  /** The engines' counters (for the stats line at exit). */
  public List<CaptureStats> stats() {
    return engines.stream().map(CaptureEngine::stats).toList();
  }

  @Override
  public void close() throws IOException {
    server.close();
    Files.deleteIfExists(socket);
  }

  /** Newline-delimited UTF-8 over a blocking socket channel, reading and writing directly (dependencies.md #6). */
  static final class LineChannel {
    private final SocketChannel ch;
    private final int maxLine;
    private final ByteBuffer in = ByteBuffer.allocate(8192);
    private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

    LineChannel(SocketChannel ch, int maxLine) {
      this.ch = ch;
      this.maxLine = maxLine;
      in.flip();
    }

    /** The next line without its newline, or null at end of stream. */
    String readLine() throws IOException {
      while (true) {
        while (in.hasRemaining()) {
          byte b = in.get();
          if (b == '\n') {
            String line = pending.toString(StandardCharsets.UTF_8);
            pending.reset();
            return line;
          }
          if (pending.size() >= maxLine) {
            throw new IOException("line longer than " + maxLine + " bytes");
          }
          pending.write(b);
        }
        in.clear();
        int n = ch.read(in);
        in.flip();
        if (n < 0) {
          return null;
        }
      }
    }

    void writeLine(String line) throws IOException {
      ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
      while (out.hasRemaining()) {
        ch.write(out);
      }
    }
  }
}
