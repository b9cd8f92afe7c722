package io.sensorfleet.actors.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.protocol.DecodeResult;
import io.sensorfleet.core.protocol.ErrorCode;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.FrameCodec;
import io.sensorfleet.core.protocol.FrameLimits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InboundReaderTest {

  private static final long UNSHAPED = 1_000_000_000;  // Bucket4j takes at most one token per nanosecond
  private static final String HEALTH = "{\"type\":\"health-report\",\"re\":\"q1\",\"status\":\"healthy\"}";

  private final LinkedBlockingQueue<Object> out = new LinkedBlockingQueue<>();
  private final ConnectedPair pair = ConnectedPair.open();
  private final BusConnection connection = pair.connection;
  private Thread thread;

  @AfterEach
  void close() throws IOException {
    pair.close();
  }

  private void start(FrameCodec codec, int chunkBytes) {
    InboundReader reader = new InboundReader(connection, codec, UNSHAPED, UNSHAPED, UNSHAPED, UNSHAPED, chunkBytes,
        new InboundReader.Owner() {
          @Override
          public void received(List<InboundReader.Received> items, CompletableFuture<Void> ack) {
            out.add(items);
            ack.complete(null);
          }

          @Override
          public void ended(Optional<Throwable> failure) {
            out.add(failure);
          }
        });
    thread = Thread.ofPlatform().daemon().start(reader);
  }

  private void write(String text) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      pair.instrument.write(bytes);
    }
  }

  /** Items handed over until {@code count} arrived; fails after 5 s. */
  private List<InboundReader.Received> items(int count) throws InterruptedException {
    List<InboundReader.Received> all = new ArrayList<>();
    while (all.size() < count) {
      Object next = out.poll(5, TimeUnit.SECONDS);
      assertTrue(next instanceof List<?>, "expected frames, got " + next);
      for (Object item : (List<?>) next) {
        all.add((InboundReader.Received) item);
      }
    }
    return all;
  }

  private static Frame frame(InboundReader.Received item) {
    var line = assertInstanceOf(InboundReader.Line.class, item);
    return assertInstanceOf(DecodeResult.Decoded.class, line.result()).frame();
  }

  @Test
  void a_frame_split_across_reads_arrives_whole() throws Exception {
    start(FrameCodec.standard(), 16);
    write(HEALTH.substring(0, 10));
    write(HEALTH.substring(10) + "\n" + HEALTH + "\n");

    List<InboundReader.Received> got = items(2);

    assertInstanceOf(Frame.HealthReport.class, frame(got.get(0)));
    assertInstanceOf(Frame.HealthReport.class, frame(got.get(1)));
  }

  @Test
  void a_partial_last_line_is_decoded_as_malformed_and_the_end_reported() throws Exception {
    start(FrameCodec.standard(), 1024);
    write("{\"type\":\"hea");
    pair.instrument.close();

    var line = assertInstanceOf(InboundReader.Line.class, items(1).getFirst());
    assertEquals(ErrorCode.MALFORMED_JSON, assertInstanceOf(DecodeResult.Rejected.class, line.result()).code());
    assertEquals(Optional.empty(), out.poll(5, TimeUnit.SECONDS));
  }

  @Test
  void an_oversized_line_ends_reading_and_leaves_closing_to_the_owner() throws Exception {
    FrameCodec small = FrameCodec.withLimits(FrameLimits.ofFrameBytes(64));
    start(small, 32);
    write(HEALTH + "\n" + "x".repeat(100));

    List<InboundReader.Received> got = items(2);

    assertInstanceOf(Frame.HealthReport.class, frame(got.get(0)));
    assertEquals(new InboundReader.Oversized(64), got.get(1));
    assertEquals(Optional.empty(), out.poll(5, TimeUnit.SECONDS));
    thread.join(5_000);
    assertTrue(connection.isOpen(), "the owner closes it after its error answer");
  }
}
