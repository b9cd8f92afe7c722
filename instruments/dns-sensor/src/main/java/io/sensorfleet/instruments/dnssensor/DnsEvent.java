package io.sensorfleet.instruments.dnssensor;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * One DNS query or response seen on the wire, as published on the {@code dns} topic, e.g.
 * {@code {"ts":"2026-12-04T10:00:00Z","kind":"response","client":"192.0.2.10","server":"198.51.100.53",
 * "qname":"example.org","qtype":"A","rcode":"NOERROR","answers":["192.0.2.80"]}}.
 *
 * @param ts when the sensor saw it (replayed packets: when replayed, so consumers see live time)
 * @param kind {@code query} or {@code response}
 * @param client the resolver's client: the query's source, the response's destination
 * @param server the DNS server: the query's destination, the response's source
 * @param qname the question's name, lower case, without the trailing dot ({@code .} for the root)
 * @param qtype the question's type mnemonic ({@code A}, {@code AAAA}, {@code TYPE65534}...)
 * @param answers the answer section's data in presentation form, in order (empty for queries)
 */
public record DnsEvent(
    Instant ts,
    String kind,
    String client,
    String server,
    String qname,
    String qtype,
    String rcode,
    List<String> answers) {

  public static final int DNS_PORT = 53;

  public DnsEvent {
    answers = List.copyOf(answers);
  }

  /** True for a response, false for a query. */
  @JsonIgnore
  public boolean isResponse() {
    return "response".equals(kind);
  }

  /**
   * The DNS message in {@code datagram}, if it is one: to or from port 53, a well-formed message with one
   * question (dnsjava decodes it).
   */
  public static Optional<DnsEvent> from(PacketDecoder.UdpDatagram datagram, Instant seenAt) {
    if (datagram.srcPort() != DNS_PORT && datagram.dstPort() != DNS_PORT) {
      return Optional.empty();
    }
    Message message;
    try {
      message = new Message(datagram.payload());
    } catch (IOException e) {
      return Optional.empty();
    }
    Record question = message.getQuestion();
    if (question == null) {
      return Optional.empty();
    }
    boolean response = message.getHeader().getFlag(Flags.QR);
    String from = Addresses.text(datagram.src());
    String to = Addresses.text(datagram.dst());
    List<String> answers = response
        ? message.getSection(Section.ANSWER).stream().map(Record::rdataToString).toList()
        : List.of();
    return Optional.of(new DnsEvent(seenAt, response ? "response" : "query", response ? to : from,
        response ? from : to, name(question), Type.string(question.getType()), Rcode.string(message.getRcode()),
        answers));
  }

  private static String name(Record question) {
    String name = question.getName().toString(true).toLowerCase(Locale.ROOT);
    return name.isEmpty() ? "." : name;
  }
}
