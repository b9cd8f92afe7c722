package io.sensorfleet.actors.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutboundWriterTest {

  private final LinkedBlockingQueue<Optional<Throwable>> finished = new LinkedBlockingQueue<>();
  private final ConnectedPair pair = ConnectedPair.open();
  private final BusConnection connection = pair.connection;
  private Thread thread;

  @AfterEach
  void close() throws Exception {
    pair.close();
    if (thread != null) {
      thread.join(5_000);
      assertFalse(thread.isAlive(), "the writer's thread ended");
    }
  }

  private OutboundWriter start(int maxFrames, long maxBytes) {
    OutboundWriter writer = new OutboundWriter(connection, maxFrames, maxBytes, finished::add);
    thread = Thread.ofPlatform().daemon().start(writer);
    return writer;
  }

  private static List<ByteString> lines(String... lines) {
    return java.util.Arrays.stream(lines).map(l -> ByteString.fromString(l + "\n")).toList();
  }

  /** Reads until {@code expected} bytes arrived; fails on the end of the stream. */
  private String read(int expected) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(expected);
    while (buffer.hasRemaining()) {
      assertTrue(pair.instrument.read(buffer) >= 0, "the stream ended early");
    }
    return new String(buffer.array(), StandardCharsets.UTF_8);
  }

  @Test
  void writes_what_is_offered_in_order_across_offers() throws Exception {
    OutboundWriter writer = start(100, 1 << 20);
    assertEquals(0, writer.offer(lines("a", "b")));
    assertEquals(0, writer.offer(lines("c")));
    assertEquals("a\nb\nc\n", read(6));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (writer.written() < 3 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(3, writer.written());
  }

  @Test
  void an_idle_writers_frames_are_written_by_the_offering_thread() throws Exception {
    OutboundWriter writer = startIdle(100, 1 << 20);
    assertEquals(0, writer.offer(lines("a", "b")));
    assertEquals(2, writer.written(), "written before offer returned");
    assertEquals("a\nb\n", read(4));
  }

  @Test
  void what_a_full_socket_does_not_take_is_written_after_it_in_order() throws Exception {
    OutboundWriter writer = startIdle(100, 16 << 20);
    String big = "x".repeat(1 << 20);  // more than a unix socket's buffer: written in part, the rest by the writer
    writer.offer(lines(big, "after"));
    writer.offer(lines("later"));
    assertEquals(big + "\nafter\nlater\n", read(big.length() + 13));
  }

  @Test
  void a_partly_written_frame_is_finished_even_when_the_bound_drops_what_follows() throws Exception {
    OutboundWriter writer = startIdle(1, 16 << 20);
    String big = "x".repeat(1 << 20);
    writer.offer(lines(big));
    assertEquals(2, writer.offer(lines("1", "2", "3")), "only the newest queued frame stays");
    assertEquals(big + "\n3\n", read(big.length() + 3));
  }

  /** Starts the writer and waits until it waits for work. */
  private OutboundWriter startIdle(int maxFrames, long maxBytes) {
    OutboundWriter writer = start(maxFrames, maxBytes);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!writer.isIdle()) {
      assertTrue(System.nanoTime() < deadline, "the writer became idle");
      Thread.onSpinWait();
    }
    return writer;
  }

  @Test
  void over_the_frame_bound_the_oldest_queued_frames_are_dropped_and_counted() {
    // Not started: nothing is taken from the queue, as when the writer is blocked on a full socket.
    OutboundWriter writer = new OutboundWriter(connection, 2, 1 << 20, finished::add);
    assertEquals(0, writer.offer(lines("1", "2")));
    assertEquals(3, writer.offer(lines("3", "4", "5")), "1, 2 and 3 went");
    assertEquals(2, writer.stop(), "two frames were still queued");
  }

  @Test
  void over_the_byte_bound_the_oldest_are_dropped_but_the_newest_frame_stays() {
    OutboundWriter writer = new OutboundWriter(connection, 100, 4, finished::add);
    assertEquals(0, writer.offer(lines("a")));
    assertEquals(1, writer.offer(lines("too long for the bound")));
    assertEquals(1, writer.stop(), "the newest frame stayed");
  }

  @Test
  void end_writes_everything_queued_then_reports_finished() throws Exception {
    OutboundWriter writer = start(100, 1 << 20);
    writer.offer(lines("last"));
    writer.end();
    assertEquals("last\n", read(5));
    assertEquals(Optional.empty(), finished.poll(5, TimeUnit.SECONDS));
  }

  @Test
  void a_failed_write_is_reported() throws Exception {
    OutboundWriter writer = start(100, 1 << 20);
    connection.close();
    writer.offer(lines("x"));
    Optional<Throwable> failure = finished.poll(5, TimeUnit.SECONDS);
    assertTrue(failure != null && failure.isPresent(), "a failure, got " + failure);
  }

  @Test
  void an_idle_writer_whose_connection_was_closed_by_someone_else_ends_without_a_report() throws Exception {
    start(100, 1 << 20);
    connection.close();  // as the reader does at the end of the stream; it tells the actor itself
    thread.join(5_000);
    assertFalse(thread.isAlive(), "the writer's thread ended");
    assertEquals(null, finished.poll(100, TimeUnit.MILLISECONDS));
  }

  @Test
  void stop_ends_the_writer_without_a_report_and_drops_later_offers() throws Exception {
    OutboundWriter writer = start(100, 1 << 20);
    writer.stop();
    thread.join(5_000);
    assertFalse(thread.isAlive(), "the writer's thread ended");
    assertEquals(1, writer.offer(lines("late")), "counted as dropped");
    assertEquals(null, finished.poll(100, TimeUnit.MILLISECONDS));
  }
}
