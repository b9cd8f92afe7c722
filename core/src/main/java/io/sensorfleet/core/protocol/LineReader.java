package io.sensorfleet.core.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.util.Arrays;
import java.util.Objects;

/**
 * Splits a blocking byte stream into {@code \n}-terminated frames for code without Pekko (the Instrument SDK, tests);
 * the platform's channels frame in a reader loop of their own ({@code InboundReader}). A line longer than the limit is
 * reported as soon as the limit is passed, without buffering the rest, and is then final: the stream can no longer be
 * trusted to be in step, so the caller answers {@code frame-too-large} and closes. Not thread-safe: one reader per
 * connection.
 */
public final class LineReader {

  /** What {@link #read()} found. */
  public sealed interface Result {}

  /** One frame, without its {@code \n}; the array is the caller's. */
  public record Line(byte[] bytes) implements Result {}

  /** The current line passed the limit; every further read returns this again. */
  public record TooLarge(int limit) implements Result {}

  /** The stream ended cleanly after a complete line (or before any); every further read returns this again. */
  public record EndOfStream() implements Result {}

  /** The stream ended in the middle of a line, which is dropped; every further read returns this again. */
  public record EndOfStreamMidLine(int droppedBytes) implements Result {}

  /** The source of bytes: {@link InputStream#read(byte[], int, int)} semantics. */
  @FunctionalInterface
  private interface Source {
    int read(byte[] buffer, int offset, int length) throws IOException;
  }

  private static final int CHUNK = 64 * 1024;

  private final Source source;
  private final int maxLineBytes;
  private final byte[] chunk;
  private int chunkPos;
  private int chunkEnd;
  private byte[] partial = new byte[0];
  private int partialLength;
  private Result terminal;

  private LineReader(Source source, int maxLineBytes) {
    if (maxLineBytes < 1) {
      throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
    }
    this.source = source;
    this.maxLineBytes = maxLineBytes;
    this.chunk = new byte[Math.min(CHUNK, maxLineBytes + 1)];
  }

  /** Reads frames of at most {@code maxLineBytes} (e.g. {@link FrameLimits#maxFrameBytes()}) from a stream. */
  public static LineReader of(InputStream in, int maxLineBytes) {
    Objects.requireNonNull(in, "in");
    return new LineReader(in::read, maxLineBytes);
  }

  /** Reads frames from a channel in blocking mode (a unix {@code SocketChannel}, for example). */
  public static LineReader of(ReadableByteChannel channel, int maxLineBytes) {
    Objects.requireNonNull(channel, "channel");
    if (channel instanceof SelectableChannel selectable && !selectable.isBlocking()) {
      throw new IllegalArgumentException("LineReader needs a channel in blocking mode");
    }
    return new LineReader((b, off, len) -> channel.read(ByteBuffer.wrap(b, off, len)), maxLineBytes);
  }

  /** Blocks until a whole line, the end of the stream, or a line over the limit. */
  public Result read() throws IOException {
    if (terminal != null) {
      return terminal;
    }
    while (true) {
      int newline = indexOfNewline();
      if (newline >= 0) {
        int length = newline - chunkPos;
        if (partialLength + length > maxLineBytes) {
          return end(new TooLarge(maxLineBytes));
        }
        byte[] line = new byte[partialLength + length];
        System.arraycopy(partial, 0, line, 0, partialLength);
        System.arraycopy(chunk, chunkPos, line, partialLength, length);
        partialLength = 0;
        chunkPos = newline + 1;
        return new Line(line);
      }
      if (!keepRest()) {
        return end(new TooLarge(maxLineBytes));
      }
      int n = source.read(chunk, 0, chunk.length);
      if (n < 0) {
        return end(partialLength == 0 ? new EndOfStream() : new EndOfStreamMidLine(partialLength));
      }
      chunkPos = 0;
      chunkEnd = n;
    }
  }

  private int indexOfNewline() {
    int i = Newlines.indexOf(chunk, chunkPos, chunkEnd);
    return i < chunkEnd ? i : -1;
  }

  /** Moves the unterminated rest of the chunk to the partial line; false once that passes the limit. */
  private boolean keepRest() {
    int rest = chunkEnd - chunkPos;
    if (partialLength + rest > maxLineBytes) {
      return false;
    }
    if (partialLength + rest > partial.length) {
      partial = Arrays.copyOf(partial, Math.max(partialLength + rest, Math.min(maxLineBytes, partial.length * 2)));
    }
    System.arraycopy(chunk, chunkPos, partial, partialLength, rest);
    partialLength += rest;
    chunkPos = 0;
    chunkEnd = 0;
    return true;
  }

  private Result end(Result result) {
    terminal = result;
    partial = new byte[0];
    partialLength = 0;
    return result;
  }
}
