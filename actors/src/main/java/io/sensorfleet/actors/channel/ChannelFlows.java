package io.sensorfleet.actors.channel;

import io.sensorfleet.core.protocol.DecodeResult;
import io.sensorfleet.core.protocol.FrameCodec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.ThrottleMode;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.scaladsl.Framing.FramingException;
import org.apache.pekko.util.ByteString;

/**
 * The stream pieces of one control-channel connection; {@code InstrumentChannel} joins them. Reads and writes block
 * on the io dispatcher's platform threads; everything else runs on the default dispatcher. Every buffer is bounded:
 * a flooding Instrument fills its own socket, nothing else.
 */
public final class ChannelFlows {

  private static final ByteString NEWLINE = ByteString.fromString("\n");

  private ChannelFlows() {}

  /** What one line of input became. */
  public sealed interface Received {}

  /** A complete line and what the codec made of it. */
  public record Line(DecodeResult result) implements Received {}

  /** A line passed the frame limit: fatal ({@code frame-too-large}); nothing after it is read. */
  public record Oversized(int limit) implements Received {}

  /**
   * Bytes from the connection, one blocking read per pull of up to {@code chunkBytes}, on {@code dispatcher}. Ends
   * at the end of the stream, fails when the read fails (also when the connection is closed under it).
   */
  public static Source<ByteString, NotUsed> read(BusConnection connection, int chunkBytes, String dispatcher) {
    return Source.unfoldResource(
            () -> connection,
            c -> {
              ByteBuffer buffer = ByteBuffer.allocate(chunkBytes);
              int n = c.read(buffer);
              return n < 0 ? Optional.<ByteString>empty()
                  : Optional.of(ByteString.fromArrayUnsafe(buffer.array(), 0, n));
            },
            BusConnection::close)
        .async(dispatcher)
        .named("channel-read");
  }

  /**
   * Shapes the byte rate: reads stop while over it, so the peer's writes block instead of our memory growing. Takes
   * one chunk at a time from {@link #read} (input buffer 1 instead of 16 chunks at the async boundary).
   */
  public static Flow<ByteString, ByteString, NotUsed> limitBytes(int bytesPerSecond, int burst) {
    return Flow.<ByteString>create()
        .throttle(bytesPerSecond, Duration.ofSeconds(1), burst, ByteString::size, ThrottleMode.shaping())
        .withAttributes(Attributes.inputBuffer(1, 1))
        .named("channel-byte-rate");
  }

  /**
   * Splits at {@code \n}, shapes the frame rate, groups the lines that arrive while the consumer (the channel
   * actor, one acknowledged element at a time) is busy — at most {@code batchBytes} of them, or one longer line —
   * and decodes each: under load one actor message carries many frames, when idle each frame goes alone at once,
   * in order. A line over {@code maxFrameBytes} is found as soon as the limit is passed ({@code Framing.delimiter}
   * fails the stream with a {@code FramingException}, which becomes {@link Oversized} and the end of the stream). A
   * partial last line at the end of the stream is decoded like any other (as {@code malformed-json}), not taken
   * for an oversized one.
   */
  public static Flow<ByteString, List<Received>, NotUsed> frames(FrameCodec codec, int framesPerSecond, int burst,
                                                                 int batchBytes) {
    int limit = codec.limits().maxFrameBytes();
    return Flow.<ByteString>create()
        .via(Framing.delimiter(NEWLINE, limit, FramingTruncation.ALLOW))
        .throttle(framesPerSecond, Duration.ofSeconds(1), burst, line -> 1, ThrottleMode.shaping())
        .<List<ByteString>>batchWeighted(batchBytes, line -> (long) line.size() + 1, first -> {
          List<ByteString> group = new ArrayList<>();
          group.add(first);
          return group;
        }, (group, next) -> {
          group.add(next);
          return group;
        })
        .map(lines -> {
          List<Received> decoded = new ArrayList<>(lines.size());
          for (ByteString line : lines) {
            decoded.add(new Line(codec.decode(line.toArrayUnsafe())));
          }
          return decoded;
        })
        .recover(FramingException.class, () -> List.of(new Oversized(limit)))
        .named("channel-frames");
  }

  /**
   * Writes each element to the connection with one gathering write, on {@code dispatcher}; the element after it is
   * only taken once it is written (input buffer 1), so a peer that doesn't read holds up this sink and nothing
   * else. Completes when the input completes; fails when a write fails.
   */
  public static Sink<ByteString, CompletionStage<Done>> write(BusConnection connection, String dispatcher) {
    return Flow.<ByteString>create()
        .map(bytes -> {
          connection.write(bytes.getByteBuffers());
          return bytes.size();
        })
        .withAttributes(Attributes.inputBuffer(1, 1))
        .async(dispatcher, 1)
        .toMat(Sink.ignore(), Keep.right())
        .named("channel-write");
  }
}
