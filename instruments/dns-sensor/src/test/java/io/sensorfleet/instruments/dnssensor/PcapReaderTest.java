package io.sensorfleet.instruments.dnssensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PcapReaderTest {

  static List<DnsEvent> decodeAll(byte[] pcap) throws IOException {
    List<DnsEvent> events = new ArrayList<>();
    try (PcapReader reader = PcapReader.open(new ByteArrayInputStream(pcap))) {
      for (Optional<PcapReader.Record> r = reader.next(); r.isPresent(); r = reader.next()) {
        PcapReader.Record record = r.get();
        PacketDecoder.udp(reader.linkType(), record.data())
            .flatMap(d -> DnsEvent.from(d, record.timestamp()))
            .ifPresent(events::add);
      }
    }
    return events;
  }

  @Test
  void reads_every_record_of_the_sample_with_its_capture_time() throws IOException {
    try (PcapReader reader = PcapReader.open(new ByteArrayInputStream(SamplePcap.bytes()))) {
      assertEquals(PacketDecoder.LINKTYPE_ETHERNET, reader.linkType());
      assertEquals(SamplePcap.START, reader.next().orElseThrow().timestamp());
      while (reader.next().isPresent()) {
        // count them
      }
      assertEquals(SamplePcap.packetCount(), reader.records());
    }
  }

  @Test
  void decodes_a_query_and_its_response_over_ipv4() throws IOException {
    List<DnsEvent> events = decodeAll(SamplePcap.bytes());

    DnsEvent query = events.get(0);
    assertEquals(List.of("query", SamplePcap.CLIENT4, SamplePcap.SERVER4, "example.org", "A", "NOERROR"),
        List.of(query.kind(), query.client(), query.server(), query.qname(), query.qtype(), query.rcode()));
    assertEquals(List.of(), query.answers());
    DnsEvent response = events.get(1);
    assertEquals(List.of("response", SamplePcap.CLIENT4, SamplePcap.SERVER4),
        List.of(response.kind(), response.client(), response.server()));
    assertEquals(List.of("203.0.113.80"), response.answers());
  }

  @Test
  void decodes_ipv6_lower_cases_names_and_keeps_answer_order() throws IOException {
    List<DnsEvent> events = decodeAll(SamplePcap.bytes());

    assertTrue(events.stream().anyMatch(e -> e.client().equals("2001:db8::10")), events.toString());
    DnsEvent cdn = events.stream().filter(e -> e.qname().equals("update.cdn.example.net") && e.isResponse())
        .findFirst().orElseThrow();
    assertEquals(List.of("203.0.113.90", "203.0.113.91"), cdn.answers());
    DnsEvent www = events.stream().filter(e -> e.qname().equals("www.example.org") && e.isResponse())
        .findFirst().orElseThrow();
    assertEquals(List.of("example.org.", "203.0.113.80"), www.answers());
  }

  @Test
  void skips_datagrams_that_are_not_dns() throws IOException {
    assertEquals(SamplePcap.exchanges().size() * 2, decodeAll(SamplePcap.bytes()).size());
  }

  @Test
  void reports_nxdomain() throws IOException {
    DnsEvent nx = decodeAll(SamplePcap.bytes()).stream()
        .filter(e -> e.qname().equals("nonexistent.example.org") && e.isResponse()).findFirst().orElseThrow();
    assertEquals("NXDOMAIN", nx.rcode());
  }

  @Test
  void reads_big_endian_files() throws IOException {
    byte[] header = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN)
        .putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(101)
        .array();
    try (PcapReader reader = PcapReader.open(new ByteArrayInputStream(header))) {
      assertEquals(PacketDecoder.LINKTYPE_RAW, reader.linkType());
      assertEquals(Optional.empty(), reader.next());
    }
  }

  @Test
  void refuses_a_file_that_is_not_pcap() {
    var e = assertThrows(PcapReader.PcapFormatException.class,
        () -> PcapReader.open(new ByteArrayInputStream(new byte[24])));
    assertEquals("not a pcap file: magic number 0x00000000", e.getMessage());
  }

  @Test
  void refuses_pcapng_with_a_hint() {
    byte[] ng = ByteBuffer.allocate(24).putInt(0x0a0d0d0a).array();
    var e = assertThrows(PcapReader.PcapFormatException.class, () -> PcapReader.open(new ByteArrayInputStream(ng)));
    assertTrue(e.getMessage().contains("editcap"), e.getMessage());
  }

  @Test
  void refuses_a_file_shorter_than_its_header() {
    assertThrows(PcapReader.PcapFormatException.class,
        () -> PcapReader.open(new ByteArrayInputStream(new byte[] {(byte) 0xd4, (byte) 0xc3})));
  }

  @Test
  void refuses_a_truncated_record() throws IOException {
    byte[] sample = SamplePcap.bytes();
    byte[] cut = Arrays.copyOf(sample, 24 + 16 + 10);
    try (PcapReader reader = PcapReader.open(new ByteArrayInputStream(cut))) {
      var e = assertThrows(PcapReader.PcapFormatException.class, reader::next);
      assertTrue(e.getMessage().startsWith("record 1: truncated"), e.getMessage());
    }
  }

  @Test
  void refuses_a_record_larger_than_pcap_allows() throws IOException {
    byte[] file = Arrays.copyOf(SamplePcap.bytes(), 24 + 16);
    ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 8, 1 << 30);
    try (PcapReader reader = PcapReader.open(new ByteArrayInputStream(file))) {
      assertThrows(PcapReader.PcapFormatException.class, reader::next);
    }
  }

  @Test
  void ignores_a_frame_truncated_inside_its_headers() {
    assertEquals(Optional.empty(), PacketDecoder.udp(PacketDecoder.LINKTYPE_ETHERNET, new byte[20]));
  }
}
