package io.sensorfleet.instruments.dnssensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Optional;

/**
 * Reads the classic libpcap file format (a 24-byte global header, then a 16-byte header before each captured
 * packet), in either byte order, with microsecond or nanosecond timestamps. pcapng is refused with a hint: this
 * reader is small on purpose (docs/reference-instruments.md says why it is not a library).
 */
public final class PcapReader implements AutoCloseable {

  /** The largest record accepted whatever the header's snapshot length says (libpcap's own maximum). */
  public static final int MAX_RECORD_BYTES = 262_144;

  private static final int MAGIC_MICROS = 0xa1b2c3d4;
  private static final int MAGIC_NANOS = 0xa1b23c4d;
  private static final int PCAPNG_MAGIC = 0x0a0d0d0a;

  private final InputStream in;
  private final ByteOrder order;
  private final boolean nanos;
  private final int linkType;
  private long records;

  private PcapReader(InputStream in, ByteOrder order, boolean nanos, int linkType) {
    this.in = in;
    this.order = order;
    this.nanos = nanos;
    this.linkType = linkType;
  }

  /**
   * Reads the global header of {@code in}, which the reader then owns.
   *
   * @throws PcapFormatException if it is not a classic pcap file
   */
  public static PcapReader open(InputStream in) throws IOException {
    byte[] header = in.readNBytes(24);
    if (header.length < 24) {
      throw new PcapFormatException("not a pcap file: " + header.length + " bytes, shorter than the 24-byte header");
    }
    ByteBuffer big = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN);
    int magic = big.getInt(0);
    ByteOrder order;
    if (magic == MAGIC_MICROS || magic == MAGIC_NANOS) {
      order = ByteOrder.BIG_ENDIAN;
    } else if (Integer.reverseBytes(magic) == MAGIC_MICROS || Integer.reverseBytes(magic) == MAGIC_NANOS) {
      order = ByteOrder.LITTLE_ENDIAN;
    } else if (magic == PCAPNG_MAGIC) {
      throw new PcapFormatException("pcapng is not supported; convert it with `editcap -F pcap in.pcapng out.pcap`");
    } else {
      throw new PcapFormatException(String.format("not a pcap file: magic number 0x%08x", magic));
    }
    ByteBuffer h = ByteBuffer.wrap(header).order(order);
    int major = Short.toUnsignedInt(h.getShort(4));
    if (major != 2) {
      throw new PcapFormatException("unsupported pcap version " + major + "." + h.getShort(6) + " (expected 2.4)");
    }
    boolean nanos = h.getInt(0) == MAGIC_NANOS;
    return new PcapReader(in, order, nanos, h.getInt(20) & 0x0fff_ffff);
  }

  /** The link-layer header type of every record (1 Ethernet, 101 raw IP...). */
  public int linkType() {
    return linkType;
  }

  /**
   * The next record, or empty at the end of the file.
   *
   * @throws PcapFormatException if a record is truncated or larger than {@link #MAX_RECORD_BYTES}
   */
  public Optional<Record> next() throws IOException {
    byte[] header = in.readNBytes(16);
    if (header.length == 0) {
      return Optional.empty();
    }
    if (header.length < 16) {
      throw new PcapFormatException("record " + (records + 1) + ": truncated header (" + header.length + " bytes)");
    }
    ByteBuffer h = ByteBuffer.wrap(header).order(order);
    long seconds = Integer.toUnsignedLong(h.getInt(0));
    long fraction = Integer.toUnsignedLong(h.getInt(4));
    long captured = Integer.toUnsignedLong(h.getInt(8));
    if (captured > MAX_RECORD_BYTES) {
      throw new PcapFormatException("record " + (records + 1) + ": " + captured + " bytes, more than the "
          + MAX_RECORD_BYTES + " a pcap record may hold");
    }
    byte[] data = in.readNBytes((int) captured);
    if (data.length < captured) {
      throw new PcapFormatException("record " + (records + 1) + ": truncated, " + data.length + " of " + captured
          + " bytes");
    }
    records++;
    Instant at = Instant.ofEpochSecond(seconds, nanos ? fraction : fraction * 1000);
    return Optional.of(new Record(at, data));
  }

  /** Records read so far. */
  public long records() {
    return records;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  /** One captured packet: when it was captured and the bytes captured, from the link-layer header on. */
  public record Record(Instant timestamp, byte[] data) {}

  /** The file is not classic pcap, or is damaged; the message says where. */
  public static final class PcapFormatException extends IOException {
    public PcapFormatException(String message) {
      super(message);
    }
  }
}
