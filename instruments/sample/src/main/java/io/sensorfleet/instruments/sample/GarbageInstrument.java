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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A hostile Instrument for the platform's tests: says {@code hello}, then floods its socket with malformed lines
 * and unsolicited frames as fast as it can, reconnecting whenever the platform closes it. The platform must answer
 * with error frames, cut it off, and keep serving every other Instrument.
 */
public final class GarbageInstrument {

  private GarbageInstrument() {}

  public static void main(String[] args) throws InterruptedException {
    var id = InstrumentId.of(System.getenv("SENSORFLEET_INSTRUMENT"));
    var bus = Path.of(System.getenv().getOrDefault("SENSORFLEET_BUS", "/run/sensorfleet/bus.sock"));
    byte[] hello = FrameCodec.standard().encode(
        new Frame.Hello("hello-1", List.copyOf(Handshake.SUPPORTED_VERSIONS), id, "garbage/1"));
    byte[] junk = "{\"type\": nonsense\n\u0000\u00ff\n[1,2,3]\n{\"type\":\"no-such-frame\"}\n"
        .getBytes(StandardCharsets.ISO_8859_1);
    while (true) {
      try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        channel.connect(UnixDomainSocketAddress.of(bus));
        channel.write(ByteBuffer.wrap(hello));
        while (true) {
          channel.write(ByteBuffer.wrap(junk));
        }
      } catch (IOException closedByThePlatform) {
        Thread.sleep(200);
      }
    }
  }
}
