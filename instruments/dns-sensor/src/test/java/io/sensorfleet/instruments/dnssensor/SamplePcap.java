package io.sensorfleet.instruments.dnssensor;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Generates {@code src/main/resources/dns-sample.pcap}, the capture the dns-sensor replays by default: DNS queries
 * and responses between documentation addresses (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32),
 * over IPv4 and IPv6, some for names the demo ruleset ({@code *.evil.example}) matches, plus one non-DNS datagram
 * and one undecodable DNS payload that the sensor must skip. Deterministic: {@code SamplePcapTest} checks that the
 * committed file is exactly what this writes, and rewrites it with {@code -Dsample.regenerate=true}.
 */
final class SamplePcap {

  static final Instant START = Instant.parse("2026-12-01T09:00:00Z");
  static final String CLIENT4 = "192.0.2.10";
  static final String CLIENT4B = "192.0.2.23";
  static final String SERVER4 = "198.51.100.53";
  static final String CLIENT6 = "2001:db8::10";
  static final String SERVER6 = "2001:db8::53";

  /** One query and its response. */
  record Exchange(String client, String server, String qname, int qtype, int rcode, List<Record> answers) {}

  /** The exchanges in the sample, in order; each is two packets. */
  static List<Exchange> exchanges() {
    return List.of(
        ok(CLIENT4, SERVER4, "example.org", Type.A, a("example.org", "203.0.113.80")),
        ok(CLIENT4, SERVER4, "www.example.org", Type.A, cname("www.example.org", "example.org"),
            a("example.org", "203.0.113.80")),
        ok(CLIENT4, SERVER4, "example.org", Type.AAAA, aaaa("example.org", "2001:db8::80")),
        ok(CLIENT4B, SERVER4, "example.com", Type.MX, mx("example.com", "mail.example.com")),
        ok(CLIENT4B, SERVER4, "mail.example.com", Type.A, a("mail.example.com", "203.0.113.25")),
        ok(CLIENT4, SERVER4, "malware.evil.example", Type.A, a("malware.evil.example", "198.51.100.66")),
        ok(CLIENT4B, SERVER4, "Update.CDN.example.net", Type.A, a("update.cdn.example.net", "203.0.113.90"),
            a("update.cdn.example.net", "203.0.113.91")),
        ok(CLIENT6, SERVER6, "example.org", Type.AAAA, aaaa("example.org", "2001:db8::80")),
        ok(CLIENT6, SERVER6, "c2.beacon.evil.example", Type.TXT, txt("c2.beacon.evil.example", "sleep=60")),
        new Exchange(CLIENT4, SERVER4, "nonexistent.example.org", Type.A, Rcode.NXDOMAIN, List.of()),
        ok(CLIENT4B, SERVER4, "bad.test", Type.A, a("bad.test", "192.0.2.200")),
        ok(CLIENT6, SERVER6, "www.example.com", Type.A, a("www.example.com", "203.0.113.8")),
        ok(CLIENT4, SERVER4, "evil.example", Type.A, a("evil.example", "198.51.100.1")),
        new Exchange(CLIENT4B, SERVER4, "printer.example.com", Type.A, Rcode.SERVFAIL, List.of()),
        ok(CLIENT4, SERVER4, "time.example.net", Type.AAAA, aaaa("time.example.net", "2001:db8:1::123")),
        ok(CLIENT6, SERVER6, "exfil.evil.example", Type.A, a("exfil.evil.example", "198.51.100.77")));
  }

  /** Packets in the file: two per exchange, one NTP datagram, one undecodable DNS payload. */
  static int packetCount() {
    return exchanges().size() * 2 + 2;
  }

  static byte[] bytes() {
    PcapWriter pcap = new PcapWriter();
    Instant at = START;
    int id = 0x1000;
    List<Exchange> all = exchanges();
    for (int i = 0; i < all.size(); i++) {
      Exchange x = all.get(i);
      int clientPort = 40000 + i;
      Message query = Message.newQuery(Record.newRecord(Name.fromConstantString(x.qname() + "."), x.qtype(),
          DClass.IN));
      query.getHeader().setID(id + i);
      pcap.udp(at, x.client(), clientPort, x.server(), 53, query.toWire());
      Message response = new Message(id + i);
      response.getHeader().setFlag(Flags.QR);
      response.getHeader().setFlag(Flags.RD);
      response.getHeader().setFlag(Flags.RA);
      response.getHeader().setRcode(x.rcode());
      response.addRecord(query.getQuestion(), Section.QUESTION);
      x.answers().forEach(r -> response.addRecord(r, Section.ANSWER));
      at = at.plusMillis(3);
      pcap.udp(at, x.server(), 53, x.client(), clientPort, response.toWire());
      at = at.plusMillis(250);
      if (i == 3) {
        pcap.udp(at, CLIENT4, 123, "198.51.100.123", 123, new byte[48]);   // NTP: not DNS
      }
      if (i == 7) {
        pcap.udp(at, CLIENT4B, 40999, SERVER4, 53, new byte[] {1, 2, 3});  // too short for a DNS header
      }
    }
    return pcap.toByteArray();
  }

  private static Exchange ok(String client, String server, String qname, int qtype, Record... answers) {
    return new Exchange(client, server, qname, qtype, Rcode.NOERROR, List.of(answers));
  }

  private static Name name(String s) {
    return Name.fromConstantString(s + ".");
  }

  private static Record a(String name, String address) {
    return new ARecord(name(name), DClass.IN, 300, ip(address));
  }

  private static Record aaaa(String name, String address) {
    return new AAAARecord(name(name), DClass.IN, 300, ip(address));
  }

  private static Record cname(String name, String target) {
    return new CNAMERecord(name(name), DClass.IN, 300, name(target));
  }

  private static Record mx(String name, String exchange) {
    return new MXRecord(name(name), DClass.IN, 300, 10, name(exchange));
  }

  private static Record txt(String name, String text) {
    return new TXTRecord(name(name), DClass.IN, 60, text);
  }

  static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);   // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  /** Writes classic pcap (little endian, microseconds, Ethernet) with IPv4/IPv6 and UDP headers and checksums. */
  static final class PcapWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PcapWriter() {
      ByteBuffer h = le(24);
      h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
      out.writeBytes(h.array());
    }

    void udp(Instant at, String src, int srcPort, String dst, int dstPort, byte[] payload) {
      byte[] s = ip(src).getAddress();
      byte[] d = ip(dst).getAddress();
      ByteBuffer udp = ByteBuffer.allocate(8 + payload.length);
      udp.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload.length)).putShort((short) 0)
          .put(payload);
      byte[] segment = udp.array();
      int sum = checksum(pseudoHeader(s, d, segment.length), segment);
      ByteBuffer.wrap(segment).putShort(6, (short) (sum == 0 ? 0xffff : sum));
      byte[] ip = s.length == 4 ? ipv4(s, d, segment) : ipv6(s, d, segment);
      ByteBuffer frame = ByteBuffer.allocate(14 + ip.length);
      frame.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1})
          .putShort((short) (s.length == 4 ? 0x0800 : 0x86dd)).put(ip);
      ByteBuffer record = le(16);
      record.putInt((int) at.getEpochSecond()).putInt(at.getNano() / 1000).putInt(frame.capacity())
          .putInt(frame.capacity());
      out.writeBytes(record.array());
      out.writeBytes(frame.array());
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }

    private static byte[] ipv4(byte[] s, byte[] d, byte[] segment) {
      ByteBuffer b = ByteBuffer.allocate(20 + segment.length);
      b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + segment.length)).putShort((short) 0)
          .putShort((short) 0x4000).put((byte) 64).put((byte) 17).putShort((short) 0).put(s).put(d);
      int sum = checksum(new byte[0], java.util.Arrays.copyOf(b.array(), 20));
      b.putShort(10, (short) sum).put(segment);
      return b.array();
    }

    private static byte[] ipv6(byte[] s, byte[] d, byte[] segment) {
      ByteBuffer b = ByteBuffer.allocate(40 + segment.length);
      b.putInt(0x6000_0000).putShort((short) segment.length).put((byte) 17).put((byte) 64).put(s).put(d).put(segment);
      return b.array();
    }

    private static byte[] pseudoHeader(byte[] s, byte[] d, int length) {
      ByteBuffer b = ByteBuffer.allocate(s.length * 2 + (s.length == 4 ? 4 : 8));
      b.put(s).put(d);
      if (s.length == 4) {
        b.put((byte) 0).put((byte) 17).putShort((short) length);
      } else {
        b.putInt(length).putInt(17);
      }
      return b.array();
    }

    /** The Internet checksum (RFC 1071) over {@code a} then {@code b}. */
    private static int checksum(byte[] a, byte[] b) {
      byte[] all = new byte[a.length + b.length + 1];
      System.arraycopy(a, 0, all, 0, a.length);
      System.arraycopy(b, 0, all, a.length, b.length);
      long sum = 0;
      for (int i = 0; i + 1 < all.length; i += 2) {
        sum += ((all[i] & 0xff) << 8) | (all[i + 1] & 0xff);
      }
      while ((sum >> 16) != 0) {
        sum = (sum & 0xffff) + (sum >> 16);
      }
      return (int) (~sum & 0xffff);
    }

    private static ByteBuffer le(int size) {
      return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  private SamplePcap() {}
}
