package io.sensorfleet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import com.fasterxml.jackson.databind.JsonNode;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.access.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.ContentTypes;
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
    assertTrue(names(network.get("bridges").get(0).get("usedBy")).contains("web-trap"), network.toString());
    assertEquals(false, network.get("dedicatedInterfaces").get(0).get("present").asBoolean());
    var roles = new java.util.HashMap<String, String>();
    network.get("hostInterfaces").forEach(i -> roles.put(i.get("name").asText(), i.get("role").asText()));
    assertEquals(java.util.Map.of("eth0", "host", "eth1", "capture", "br-lan", "bridge"), roles);
  }

  @Test
  void an_admin_sets_the_bridges_and_dedicated_interfaces_and_the_change_is_audited_and_in_force() {
    String admin = login("admin");
    audited.clear();
    var set = json(app().run(as(admin, put("{\"bridges\": [\"br-lan\", \"br-lab\"], \"dedicatedInterfaces\": []}")))
        .assertStatusCode(200).entityString());
    assertEquals(List.of("br-lab", "br-lan"), names(set.get("bridges")));
    assertEquals(List.of(), names(set.get("dedicatedInterfaces")));
    assertEquals(Set.of("br-lab", "br-lan"), networkProvisioner.allowlist().bridges());
    assertTrue(audited.stream().anyMatch(a -> a.action().equals("network allowlist changed")
        && a.principal().equals(Principal.user("admin")) && a.detail().contains("bridges +br-lab")
        && a.detail().contains("dedicated -eth2")), audited.toString());
    // Back to the fixture's allowlist for the other tests.
    app().run(as(admin, put("{\"bridges\": [\"br-lan\"], \"dedicatedInterfaces\": [\"eth2\"]}")))
        .assertStatusCode(200);
  }

  @Test
  void bad_names_repeats_and_capture_interfaces_answer_400_naming_the_entry() {
    String admin = login("admin");
    var bad = json(app().run(as(admin, put("{\"bridges\": [\"br-lan\", \"no spaces\", \"br-lan\"], "
        + "\"dedicatedInterfaces\": []}"))).assertStatusCode(400).entityString());
    assertEquals(List.of("bridges[1]", "bridges[2]"), paths(bad));
    var capture = json(app().run(as(admin, put("{\"bridges\": [\"br-lan\"], \"dedicatedInterfaces\": [\"eth1\"]}")))
        .assertStatusCode(400).entityString());
    assertEquals(List.of("dedicatedInterfaces"), paths(capture));
    app().run(as(admin, put("{\"bridges\": [\"br-lan\"]}"))).assertStatusCode(400);
    assertEquals(Set.of("br-lan"), networkProvisioner.allowlist().bridges());
  }

  @Test
  void a_bridge_an_instrument_uses_cannot_be_taken_away() {
    fleet.with(ManifestParser.parseOrThrow("id: lan-trap\nimage: sensorfleet/base\n"
        + "network: {mode: bridged, bridge: br-lan}\n"), Actual.RUNNING);
    var refused = app().run(as(login("admin"), put("{\"bridges\": [], \"dedicatedInterfaces\": [\"eth2\"]}")));
    refused.assertStatusCode(409);
    assertTrue(refused.entityString().contains("lan-trap"), refused.entityString());
    assertEquals(Set.of("br-lan"), networkProvisioner.allowlist().bridges());
  }

  @Test
  void only_an_admin_changes_the_network() {
    user("otto", Role.OPERATOR);
    app().run(as(login("otto"), put("{\"bridges\": [], \"dedicatedInterfaces\": []}"))).assertStatusCode(403);
    assertEquals(Set.of("br-lan"), networkProvisioner.allowlist().bridges());
  }

  private static HttpRequest put(String body) {
    return HttpRequest.PUT("/api/v1/network").withEntity(ContentTypes.APPLICATION_JSON, body);
  }

  /** The names of a list of offered bridges or interfaces, or a list of strings. */
  private static List<String> names(JsonNode offered) {
    List<String> names = new ArrayList<>();
    offered.forEach(o -> names.add(o.isTextual() ? o.asText() : o.get("name").asText()));
    return names;
  }

  private static List<String> paths(JsonNode error) {
    List<String> paths = new ArrayList<>();
    error.get("errors").forEach(e -> paths.add(e.get("path").asText()));
    return paths;
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
