package io.sensorfleet.capture.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The platform's end of the Capture Engine's control socket: one request, one reply, blocking (callers run it on
 * a blocking executor). Thread-safe: requests are serialized.
 */
public final class CaptureClient implements AutoCloseable {
  private final SocketChannel ch;
  private final CaptureDaemon.LineChannel lines;
  private final ObjectMapper mapper = CaptureDaemon.mapper();

  private CaptureClient(SocketChannel ch) {
    this.ch = ch;
    this.lines = new CaptureDaemon.LineChannel(ch, 1 << 20);
  }

  public static CaptureClient connect(Path socket) throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return new CaptureClient(ch);
  }

  /** Sends {@code request} and waits for its reply. */
  public synchronized ControlReply call(ControlRequest request) throws IOException {
    lines.writeLine(mapper.writeValueAsString(request));
    String line = lines.readLine();
    if (line == null) {
      throw new IOException("the capture engine closed its control socket");
    }
    return mapper.readValue(line, ControlReply.class);
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
