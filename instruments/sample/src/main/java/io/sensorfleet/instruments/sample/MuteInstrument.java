package io.sensorfleet.instruments.sample;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.FrameCodec;
import io.sensorfleet.core.protocol.Handshake;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * A hostile Instrument for the platform's tests: it connects, says {@code hello}, then reads and ignores every
 * frame, never answering a health query. The platform must count those as failures and restart it with backoff.
 * Run as {@code java -cp sample-instrument.jar io.sensorfleet.instruments.sample.MuteInstrument}.
 */
public final class MuteInstrument {

  private MuteInstrument() {}

  public static void main(String[] args) throws IOException {
    var id = InstrumentId.of(System.getenv("SENSORFLEET_INSTRUMENT"));
    var bus = Path.of(System.getenv().getOrDefault("SENSORFLEET_BUS", "/run/sensorfleet/bus.sock"));
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(bus));
      var hello = new Frame.Hello("hello-1", List.copyOf(Handshake.SUPPORTED_VERSIONS), id, "mute/1");
      channel.write(ByteBuffer.wrap(FrameCodec.standard().encode(hello)));
      ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
      while (channel.read(sink) >= 0) {
        sink.clear();  // read everything, answer nothing
      }
    }
  }
}
