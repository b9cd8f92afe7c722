package io.sensorfleet.instruments.dnssensor;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * Finds the UDP datagram in a captured frame: Ethernet (with 802.1Q/802.1ad tags) or raw IP, then IPv4 or IPv6,
 * then UDP. Anything else (TCP, fragments after the first, other link types, truncated headers) is not a datagram
 * and yields empty: a sensor skips what it does not decode instead of failing.
 */
public final class PacketDecoder {

  /** pcap link types this decoder reads. */
  public static final int LINKTYPE_ETHERNET = 1;
  public static final int LINKTYPE_RAW = 101;

  private static final int ETHERTYPE_IPV4 = 0x0800;
  private static final int ETHERTYPE_IPV6 = 0x86dd;
  private static final int ETHERTYPE_VLAN = 0x8100;
  private static final int ETHERTYPE_QINQ = 0x88a8;
  private static final int PROTO_UDP = 17;

  private PacketDecoder() {}

  /** The UDP datagram {@code frame} carries, if it carries one. */
  public static Optional<UdpDatagram> udp(int linkType, byte[] frame) {
    try {
      ByteBuffer b = ByteBuffer.wrap(frame);
      return switch (linkType) {
        case LINKTYPE_ETHERNET -> ethernet(b);
        case LINKTYPE_RAW -> ip(b);
        default -> Optional.empty();
      };
    } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
      return Optional.empty();   // truncated or inconsistent headers: not a datagram we can read
    }
  }

  /** True for the link types {@link #udp} reads. */
  public static boolean supports(int linkType) {
    return linkType == LINKTYPE_ETHERNET || linkType == LINKTYPE_RAW;
  }

  private static Optional<UdpDatagram> ethernet(ByteBuffer b) {
    b.position(12);
    int type = Short.toUnsignedInt(b.getShort());
    while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) {
      b.getShort();
      type = Short.toUnsignedInt(b.getShort());
    }
    return switch (type) {
      case ETHERTYPE_IPV4 -> ipv4(b.slice());
      case ETHERTYPE_IPV6 -> ipv6(b.slice());
      default -> Optional.empty();
    };
  }

  private static Optional<UdpDatagram> ip(ByteBuffer b) {
    int version = Byte.toUnsignedInt(b.get(0)) >> 4;
    return switch (version) {
      case 4 -> ipv4(b);
      case 6 -> ipv6(b);
      default -> Optional.empty();
    };
  }

  private static Optional<UdpDatagram> ipv4(ByteBuffer b) {
    int headerLength = (b.get(0) & 0x0f) * 4;
    int totalLength = Short.toUnsignedInt(b.getShort(2));
    int fragment = Short.toUnsignedInt(b.getShort(6));
    boolean laterFragment = (fragment & 0x1fff) != 0;
    if (headerLength < 20 || b.get(9) != PROTO_UDP || laterFragment) {
      return Optional.empty();
    }
    InetAddress src = address(b, 12, 4);
    InetAddress dst = address(b, 16, 4);
    int end = Math.min(b.limit(), totalLength);
    return udp(b.position(headerLength).limit(end).slice(), src, dst);
  }

  private static Optional<UdpDatagram> ipv6(ByteBuffer b) {
    // Extension headers are left out: DNS over UDP does not use them in practice.
    if (b.get(6) != PROTO_UDP) {
      return Optional.empty();
    }
    int payloadLength = Short.toUnsignedInt(b.getShort(4));
    InetAddress src = address(b, 8, 16);
    InetAddress dst = address(b, 24, 16);
    int end = Math.min(b.limit(), 40 + payloadLength);
    return udp(b.position(40).limit(end).slice(), src, dst);
  }

  private static Optional<UdpDatagram> udp(ByteBuffer b, InetAddress src, InetAddress dst) {
    int srcPort = Short.toUnsignedInt(b.getShort(0));
    int dstPort = Short.toUnsignedInt(b.getShort(2));
    int length = Short.toUnsignedInt(b.getShort(4));
    if (length < 8) {
      return Optional.empty();
    }
    int end = Math.min(b.limit(), length);
    byte[] payload = new byte[end - 8];
    b.get(8, payload);
    return Optional.of(new UdpDatagram(src, srcPort, dst, dstPort, payload));
  }

  private static InetAddress address(ByteBuffer b, int offset, int length) {
    byte[] raw = new byte[length];
    b.get(offset, raw);
    try {
      return InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("address of " + length + " bytes", e);   // cannot happen: 4 or 16
    }
  }

  /** A UDP datagram with its endpoints. */
  public record UdpDatagram(InetAddress src, int srcPort, InetAddress dst, int dstPort, byte[] payload) {
    @Override
    public boolean equals(Object o) {
      return o instanceof UdpDatagram d && src.equals(d.src) && srcPort == d.srcPort && dst.equals(d.dst)
          && dstPort == d.dstPort && Arrays.equals(payload, d.payload);
    }

    @Override
    public int hashCode() {
      return 31 * src.hashCode() + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      return src.getHostAddress() + ":" + srcPort + " > " + dst.getHostAddress() + ":" + dstPort + " ("
          + payload.length + " bytes)";
    }
  }
}
