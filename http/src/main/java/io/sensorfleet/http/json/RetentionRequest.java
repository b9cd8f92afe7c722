package io.sensorfleet.http.json;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code PUT /api/v1/instruments/{id}/retention}: how long the Instrument keeps data, {@code "30d"} or ISO-8601. */
public record RetentionRequest(String retention) {
  @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
  public RetentionRequest(@JsonProperty("retention") String retention) {
    this.retention = retention;
  }
}
