package io.sensorfleet.core.permission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.sensorfleet.core.InstrumentId;
import org.junit.jupiter.api.Test;

class PermissionJsonTest {

  static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new com.fasterxml.jackson.module.paramnames.ParameterNamesModule(
          com.fasterxml.jackson.annotation.JsonCreator.Mode.PROPERTIES));

  @Test
  void a_policy_survives_a_json_round_trip() throws Exception {
    var policy = PermissionPolicyTest.POLICY;
    assertEquals(policy, JSON.readValue(JSON.writeValueAsString(policy), PermissionPolicy.class));
  }

  @Test
  void a_policy_serializes_to_readable_json() throws Exception {
    var policy = PermissionPolicy.of(new Grant(InstrumentId.of("ids"), Action.RECEIVE_RESOURCE, "suricata-rules"));
    assertEquals("{\"grants\":[{\"subject\":\"ids\",\"action\":\"receive-resource\",\"object\":\"suricata-rules\"}]}",
        JSON.writeValueAsString(policy));
  }

  @Test
  void a_request_survives_a_json_round_trip() throws Exception {
    var request = new PermissionRequest(Action.SEND, "passive-dns");
    assertEquals(request, JSON.readValue(JSON.writeValueAsString(request), PermissionRequest.class));
  }

  @Test
  void json_cannot_smuggle_in_a_wildcard_send() {
    String json = "{\"grants\":[{\"subject\":\"ids\",\"action\":\"send\",\"object\":\"*\"}]}";
    assertThrows(ValueInstantiationException.class, () -> JSON.readValue(json, PermissionPolicy.class));
  }
}
