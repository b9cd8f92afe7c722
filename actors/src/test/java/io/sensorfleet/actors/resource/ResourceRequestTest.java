package io.sensorfleet.actors.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResourceRequestTest {

  static final ResourceRequest.Defaults DEFAULTS =
      new ResourceRequest.Defaults(Duration.ofHours(1), 1 << 20, Duration.ofSeconds(60), Duration.ofSeconds(1));

  @Test
  void a_configuration_without_resources_asks_for_nothing() {
    assertEquals(new ResourceRequest.Parsed(List.of(), List.of()),
        ResourceRequest.parseAll("{\"heartbeat\":1}", DEFAULTS));
  }

  @Test
  void omitted_fields_take_the_defaults_and_given_ones_are_read() {
    var parsed = ResourceRequest.parseAll("{\"resources\":[{\"name\":\"beacon-bin\",\"url\":\"http://10.1.1.1/b\"},"
        + "{\"name\":\"rules\",\"url\":\"https://p.example/r\",\"every\":\"5m\",\"max-size\":\"64KiB\","
        + "\"timeout\":10,\"sha256\":\"" + "A".repeat(64) + "\"}]}", DEFAULTS);
    assertEquals(List.of(
        new ResourceRequest("beacon-bin", URI.create("http://10.1.1.1/b"), Duration.ofHours(1), Optional.empty(),
            1 << 20, Duration.ofSeconds(60)),
        new ResourceRequest("rules", URI.create("https://p.example/r"), Duration.ofMinutes(5),
            Optional.of("a".repeat(64)), 65536, Duration.ofSeconds(10))), parsed.requests());
    assertEquals(List.of(), parsed.problems());
  }

  @Test
  void invalid_requests_are_named_and_the_valid_ones_kept() {
    var parsed = ResourceRequest.parseAll("{\"resources\":[{\"name\":\"ok\",\"url\":\"http://h/x\"},"
        + "{\"name\":\"../x\",\"url\":\"http://h/x\"},{\"name\":\"f\",\"url\":\"file:///etc/shadow\"},"
        + "{\"name\":\"big\",\"url\":\"http://h/x\",\"max-size\":\"2MiB\"}]}", DEFAULTS);
    assertEquals(List.of("ok"), parsed.requests().stream().map(ResourceRequest::name).toList());
    assertEquals(3, parsed.problems().size(), parsed.problems().toString());
  }
}
