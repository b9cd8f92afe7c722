package io.sensorfleet.instruments.dnssensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AddressesTest {

  static String text(String literal) {
    return Addresses.text(SamplePcap.ip(literal));
  }

  @Test
  void writes_ipv6_in_its_shortest_canonical_form() {
    assertEquals("2001:db8::10", text("2001:db8:0:0:0:0:0:10"));
    assertEquals("::1", text("0:0:0:0:0:0:0:1"));
    assertEquals("::", text("::"));
    assertEquals("2001:db8::1:0:0:1", text("2001:db8:0:0:1:0:0:1"));
    assertEquals("2001:db8:0:1:1:1:1:1", text("2001:db8:0:1:1:1:1:1"));
    assertEquals("fe80::", text("fe80::"));
  }

  @Test
  void writes_ipv4_as_a_dotted_quad() {
    assertEquals("192.0.2.10", text("192.0.2.10"));
  }
}
