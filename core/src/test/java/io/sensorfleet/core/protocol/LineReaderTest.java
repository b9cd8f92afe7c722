package io.sensorfleet.core.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineReaderTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String line(LineReader.Result result) {
    return new String(assertInstanceOf(LineReader.Line.class, result).bytes(), StandardCharsets.UTF_8);
  }

  /** Hands out at most {@code step} bytes per read, as a socket may. */
  private static InputStream trickle(byte[] data, int step) {
    return new InputStream() {
      private int pos;

      @Override
      public int read() {
        return pos < data.length ? data[pos++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (pos >= data.length) {
          return -1;
        }
        int n = Math.min(Math.min(len, step), data.length - pos);
        System.arraycopy(data, pos, b, off, n);
        pos += n;
        return n;
      }
    };
  }

  @Test
  void reads_several_lines_that_arrive_in_one_read() throws IOException {
    var reader = LineReader.of(new ByteArrayInputStream(utf8("{\"a\":1}\n{\"b\":2}\n")), 100);
    assertEquals("{\"a\":1}", line(reader.read()));
    assertEquals("{\"b\":2}", line(reader.read()));
  }

  @Test
  void reads_a_line_that_arrives_one_byte_at_a_time() throws IOException {
    var reader = LineReader.of(trickle(utf8("{\"type\":\"bye\"}\nnext\n"), 1), 100);
    assertEquals("{\"type\":\"bye\"}", line(reader.read()));
    assertEquals("next", line(reader.read()));
  }

  @Test
  void returns_an_empty_line_as_an_empty_frame() throws IOException {
    var reader = LineReader.of(new ByteArrayInputStream(utf8("\nx\n")), 100);
    assertEquals("", line(reader.read()));
  }

  @Test
  void leaves_a_carriage_return_in_the_line() throws IOException {
    var reader = LineReader.of(new ByteArrayInputStream(utf8("{}\r\n")), 100);
    assertEquals("{}\r", line(reader.read()));
  }

  @Test
  void accepts_a_line_of_exactly_the_limit() throws IOException {
    var reader = LineReader.of(trickle(utf8("x".repeat(10) + "\n"), 3), 10);
    assertEquals("x".repeat(10), line(reader.read()));
  }

  @Test
  void reports_a_line_one_byte_over_the_limit() throws IOException {
    var reader = LineReader.of(new ByteArrayInputStream(utf8("x".repeat(11) + "\n")), 10);
    assertEquals(new LineReader.TooLarge(10), reader.read());
  }

  @Test
  void reports_a_long_line_over_several_reads_as_too_large() throws IOException {
    var reader = LineReader.of(trickle(utf8("x".repeat(11) + "\n"), 4), 10);
    assertEquals(new LineReader.TooLarge(10), reader.read());
  }

  @Test
  void reports_too_large_without_waiting_for_the_end_of_the_line() throws IOException {
    int[] served = {0};
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        served[0]++;
        return 'x';
      }

      @Override
      public int read(byte[] b, int off, int len) {
        java.util.Arrays.fill(b, off, off + len, (byte) 'x');
        served[0] += len;
        return len;
      }
    };
    var reader = LineReader.of(endless, 1000);
    assertEquals(new LineReader.TooLarge(1000), reader.read());
    assertTrue(served[0] <= 2002, "read " + served[0] + " bytes");
  }

  @Test
  void too_large_is_final() throws IOException {
    var reader = LineReader.of(new ByteArrayInputStream(utf8("x".repeat(11) + "\nshort\n")), 10);
    reader.read();
    assertEquals(new LineReader.TooLarge(10), reader.read());
  }

  @Test
  void reports_the_end_of_the_stream_after_the_last_line() throws IOException {
    var reader = LineReader.of(new ByteArrayInputStream(utf8("a\n")), 10);
    reader.read();
    assertEquals(new LineReader.EndOfStream(), reader.read());
  }

  @Test
  void reports_a_stream_that_ends_in_the_middle_of_a_line() throws IOException {
    var reader = LineReader.of(trickle(utf8("a\n{\"type\":"), 2), 100);
    reader.read();
    assertEquals(new LineReader.EndOfStreamMidLine(8), reader.read());
  }

  @Test
  void reads_lines_longer_than_its_internal_chunk() throws IOException {
    String big = "y".repeat(200_000);
    var reader = LineReader.of(trickle(utf8(big + "\nz\n"), 70_000), 300_000);
    assertEquals(big, line(reader.read()));
    assertEquals("z", line(reader.read()));
  }

  @Test
  void reads_from_a_blocking_channel() throws IOException {
    var reader = LineReader.of(Channels.newChannel(new ByteArrayInputStream(utf8("one\ntwo\n"))), 10);
    assertEquals("one", line(reader.read()));
  }

  @Test
  void refuses_a_channel_in_non_blocking_mode() throws IOException {
    Pipe pipe = Pipe.open();
    try (var source = pipe.source(); var sink = pipe.sink()) {
      source.configureBlocking(false);
      assertThrows(IllegalArgumentException.class, () -> LineReader.of(source, 10));
    }
  }

  @Test
  void carries_frames_over_a_unix_socket(@TempDir Path dir) throws IOException {
    var codec = FrameCodec.standard();
    var frame = new Frame.Send(Optional.of("m1"), SampleFrames.IDS, true, RawJson.of("{\"q\":\"example.org\"}"));
    try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(dir.resolve("i.sock")));
      try (var client = SocketChannel.open(server.getLocalAddress()); var accepted = server.accept()) {
        client.write(ByteBuffer.wrap(codec.encode(frame)));
        client.write(ByteBuffer.wrap(codec.encode(new Frame.Bye("done"))));
        client.shutdownOutput();
        var reader = LineReader.of(accepted, codec.limits().maxFrameBytes());
        assertEquals(new DecodeResult.Decoded(frame), codec.decode(((LineReader.Line) reader.read()).bytes()));
        assertArrayEquals(utf8("{\"type\":\"bye\",\"reason\":\"done\"}"), ((LineReader.Line) reader.read()).bytes());
        assertEquals(new LineReader.EndOfStream(), reader.read());
      }
    }
  }
}
