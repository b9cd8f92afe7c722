package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import io.sensorfleet.core.access.Role;
import io.sensorfleet.core.manifest.ManifestParser;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.junit.jupiter.api.Test;

class NetworkRoutesTest extends ApiRouteTest {

  @Test
  void a_viewer_sees_the_allowlist_who_uses_it_and_the_host_interfaces_with_roles() {
    fleet.with(ManifestParser.parseOrThrow("id: web-trap\nimage: sensorfleet/base\n"
        + "network: {mode: bridged, bridge: br-lan}\n"), Actual.RUNNING);
    user("nia", Role.VIEWER);
    var network = json(app().run(as(login("nia"), HttpRequest.GET("/api/v1/network"))).assertStatusCode(200)
        .entityString());
    assertEquals("br-lan", network.get("bridges").get(0).get("name").asText());
    assertTrue(network.get("bridges").get(0).get("present").asBoolean());
    assertEquals("web-trap", network.get("bridges").get(0).get("usedBy").get(0).asText());
    assertEquals(false, network.get("dedicatedInterfaces").get(0).get("present").asBoolean());
    var roles = new java.util.HashMap<String, String>();
    network.get("hostInterfaces").forEach(i -> roles.put(i.get("name").asText(), i.get("role").asText()));
    assertEquals(java.util.Map.of("eth0", "host", "eth1", "capture", "br-lan", "bridge"), roles);
  }

  @Test
  void the_network_needs_a_login() {
    app().run(HttpRequest.GET("/api/v1/network")).assertStatusCode(401);
  }

  @Test
  void the_jvm_lists_at_least_loopback() {
    assertTrue(NetworkRoutes.hostInterfaces().stream().anyMatch(i -> i.loopback()));
  }
}
