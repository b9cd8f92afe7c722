package io.sensorfleet.http.json;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /api/v1/instruments/{id}/config/rollback}: the version whose content becomes the newest version. */
public record RollbackRequest(Long version) {
  @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
  public RollbackRequest(@JsonProperty("version") Long version) {
    this.version = version;
  }
}
