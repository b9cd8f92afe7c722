package io.sensorfleet.actors.channel;

import io.github.bucket4j.Bucket;
import io.sensorfleet.core.protocol.DecodeResult;
import io.sensorfleet.core.protocol.FrameCodec;
import io.sensorfleet.core.protocol.Newlines;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The inbound half of one control-channel connection: one loop on a platform thread of the channel's io dispatcher
 * that reads, splits at {@code \n}, shapes the byte and frame rates, decodes, and hands each read's frames to its
 * {@link Owner} (the channel actor) as one batch, in order. Not an actor: a resource loop like {@link BusSocket}'s
 * accept loop; it talks to the actor only through {@link Owner} (which sends actor messages) and the acknowledgement
 * the actor completes.
 *
 * <p>Backpressure: a batch is handed over only once the previous one was acknowledged, so at most one batch waits in
 * the actor's mailbox and one is being decoded here; meanwhile the Instrument's writes fill its own socket buffer and
 * then block. Shaping (token buckets from Bucket4j) parks this thread, which has the same effect: a flooding
 * Instrument slows itself down, nothing else.
 *
 * <p>Why not a Pekko Streams graph (it was one: read → throttle → framing → throttle → batch → decode → actor sink):
 * each element crossed two asynchronous boundaries and a stream interpreter before reaching the actor, which a JFR
 * profile of the bus benchmark put at a quarter of the bus's CPU (docs/benchmarks.md). Here a read reaches the actor
 * in one hand-over.
 */
final class InboundReader implements Runnable {

  /** What one line of input became. */
  sealed interface Received {}

  /** A complete line and what the codec made of it. */
  record Line(DecodeResult result) implements Received {}

  /** A line passed the frame limit: fatal ({@code frame-too-large}); nothing after it is read. */
  record Oversized(int limit) implements Received {}

  /** Where the reader's output goes; called on the reader's thread, so both must only send messages. */
  interface Owner {
    /** Frames of one read, in order; complete {@code ack} once they are taken, or the reader waits. */
    void received(List<Received> items, CompletableFuture<Void> ack);

    /** The connection's input ended: empty at the end of the stream, else why reading failed. */
    void ended(Optional<Throwable> failure);
  }

  /** How often a reader waiting for an acknowledgement looks whether its connection was closed meanwhile. */
  private static final long ACK_POLL_MILLIS = 200;

  private final BusConnection connection;
  private final FrameCodec codec;
  private final Bucket bytes;
  private final long byteBurst;
  private final Bucket frames;
  private final int chunkBytes;
  private final Owner owner;
  /** Where each line of the current read ends (its {@code \n}); grows as needed, only this reader's thread uses it. */
  private int[] lineEnds = new int[256];

  /**
   * @param bytesPerSecond shaped byte rate, with {@code byteBurst} bytes that may pass at once
   * @param framesPerSecond shaped frame rate, with {@code frameBurst} frames that may pass at once
   * @param chunkBytes bytes asked for in one read
   */
  InboundReader(BusConnection connection, FrameCodec codec, long bytesPerSecond, long byteBurst,
                long framesPerSecond, long frameBurst, int chunkBytes, Owner owner) {
    this.connection = connection;
    this.codec = codec;
    this.bytes = bucket(bytesPerSecond, byteBurst);
    this.byteBurst = byteBurst;
    this.frames = bucket(framesPerSecond, frameBurst);
    this.chunkBytes = chunkBytes;
    this.owner = owner;
  }

  private static Bucket bucket(long perSecond, long burst) {
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)))
        .build();
  }

  /**
   * Reads until the end of the stream or a failure, then closes the connection; or until an oversized line, after
   * which the owner closes it once its error answer is written.
   */
  @Override
  public void run() {
    Optional<Throwable> failure = Optional.empty();
    boolean ownerCloses = false;
    try {
      ownerCloses = readAll();
    } catch (IOException | RuntimeException e) {
      failure = Optional.of(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = Optional.of(e);
    } finally {
      if (!ownerCloses) {
        connection.close();
      }
    }
    owner.ended(failure);
  }

  /** True when it stopped at an oversized line, false at the end of the stream. */
  private boolean readAll() throws IOException, InterruptedException {
    int limit = codec.limits().maxFrameBytes();
    // Room for a partial line at the limit, its newline, and one more read.
    byte[] buffer = new byte[limit + 1 + chunkBytes];
    ByteBuffer window = ByteBuffer.wrap(buffer);
    int filled = 0;
    int scanned = 0;
    CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);
    while (true) {
      window.limit(filled + chunkBytes).position(filled);
      int n = connection.read(window);
      if (n < 0) {
        if (filled > 0) {
          // A partial last line is decoded like any other (as malformed-json), not taken for an oversized one.
          frames.asBlocking().consume(1);
          handOver(previous, List.of(new Line(codec.decode(buffer, 0, filled))));
        }
        return false;
      }
      shape(bytes, n, byteBurst);
      filled += n;
      int lines = 0;
      int start = 0;
      for (int i = Newlines.indexOf(buffer, scanned, filled); i < filled; i = Newlines.indexOf(buffer, i + 1, filled)) {
        if (i - start > limit) {
          break;
        }
        if (lines == lineEnds.length) {
          lineEnds = Arrays.copyOf(lineEnds, lines * 2);
        }
        lineEnds[lines++] = i;
        start = i + 1;
      }
      boolean oversized = filled - start > limit && Newlines.indexOf(buffer, start, filled) - start > limit;
      previous = decodeShaped(buffer, lines, oversized ? limit : -1, previous);
      if (oversized) {
        awaitAck(previous);
        return true;
      }
      System.arraycopy(buffer, start, buffer, 0, filled - start);
      filled -= start;
      scanned = filled;
    }
  }

  /**
   * Decodes the first {@code lines} lines of {@code buffer} and hands them over as frame tokens allow: those the
   * bucket has at once go together; then each wait for a token hands over what was decoded before it, so frames
   * reach the actor at the shaped rate rather than a whole read at a time. {@code oversizedLimit} ≥ 0 appends an
   * {@link Oversized}.
   */
  private CompletableFuture<Void> decodeShaped(byte[] buffer, int lines, int oversizedLimit,
                                               CompletableFuture<Void> previous)
      throws IOException, InterruptedException {
    List<Received> items = new ArrayList<>();
    int done = 0;
    int from = 0;
    while (done < lines) {
      long allowed = frames.tryConsumeAsMuchAsPossible(lines - done);
      if (allowed == 0) {
        if (!items.isEmpty()) {
          previous = handOver(previous, items);
          items = new ArrayList<>();
        }
        frames.asBlocking().consume(1);
        allowed = 1;
      }
      for (long k = 0; k < allowed; k++, done++) {
        int end = lineEnds[done];
        items.add(new Line(codec.decode(buffer, from, end - from)));
        from = end + 1;
      }
    }
    if (oversizedLimit >= 0) {
      items.add(new Oversized(oversizedLimit));
    }
    return items.isEmpty() ? previous : handOver(previous, items);
  }

  /** Waits for {@code previous} to be acknowledged, then hands {@code items} over; returns their acknowledgement. */
  private CompletableFuture<Void> handOver(CompletableFuture<Void> previous, List<Received> items)
      throws IOException, InterruptedException {
    awaitAck(previous);
    CompletableFuture<Void> ack = new CompletableFuture<>();
    owner.received(items, ack);
    return ack;
  }

  /** Blocks until {@code ack} completes; gives up (as a closed channel) once the connection was closed. */
  private void awaitAck(CompletableFuture<Void> ack) throws IOException, InterruptedException {
    while (true) {
      try {
        ack.get(ACK_POLL_MILLIS, TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException e) {
        if (!connection.isOpen()) {
          throw new ClosedChannelException();
        }
      } catch (ExecutionException e) {
        throw new IOException("the channel did not take the frames", e.getCause());
      }
    }
  }

  /** Takes {@code cost} tokens, at most a burst at a time, parking while the bucket is empty: shaping. */
  private static void shape(Bucket bucket, long cost, long burst) throws InterruptedException {
    long left = cost;
    while (left > 0) {
      long take = Math.min(left, burst);
      bucket.asBlocking().consume(take);
      left -= take;
    }
  }
}
