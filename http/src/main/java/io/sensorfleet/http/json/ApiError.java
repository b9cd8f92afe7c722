package io.sensorfleet.http.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The one shape of every error body: a stable machine-readable {@code code}, a message for people, and for invalid
 * input the fields concerned ({@code errors}, absent otherwise), e.g. {@code limits.memory} of a manifest.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ApiError(String code, String message, List<FieldError> errors) {

  public ApiError(String code, String message) {
    this(code, message, List.of());
  }

  /** One invalid field: its path as the input nests it, and what is wrong with it. */
  public record FieldError(String path, String reason) {}
}
