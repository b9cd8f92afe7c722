package io.sensorfleet.http;

import io.sensorfleet.http.json.ApiError;
import java.util.List;

/**
 * An expected failure of a request, thrown by the ports the routes use and answered by {@code FleetApi} with the
 * matching status and an {@link ApiError} body. Stack traces are not filled: these are answers, not bugs.
 */
public sealed abstract class ApiException extends RuntimeException {

  private ApiException(String message) {
    super(message, null, false, false);
  }

  /** The stable machine-readable code of the error body. */
  public abstract String code();

  /** 400: the request itself is wrong; {@code errors} name the fields when known. */
  public static final class BadRequest extends ApiException {
    private final String code;
    private final List<ApiError.FieldError> errors;

    public BadRequest(String code, String message, List<ApiError.FieldError> errors) {
      super(message);
      this.code = code;
      this.errors = List.copyOf(errors);
    }

    public BadRequest(String code, String message) {
      this(code, message, List.of());
    }

    @Override
    public String code() {
      return code;
    }

    public List<ApiError.FieldError> errors() {
      return errors;
    }
  }

  /** 404: an unknown Instrument, user or version. */
  public static final class NotFound extends ApiException {
    public NotFound(String message) {
      super(message);
    }

    @Override
    public String code() {
      return "not-found";
    }
  }

  /** 409: the target's state refuses the request (already installed, busy, last admin...). */
  public static final class Conflict extends ApiException {
    public Conflict(String message) {
      super(message);
    }

    @Override
    public String code() {
      return "conflict";
    }
  }

  /** 503: a part of the sensor this needs is not running (e.g. the Capture Engine, while it restarts). */
  public static final class Unavailable extends ApiException {
    private final String code;

    public Unavailable(String code, String message) {
      super(message);
      this.code = code;
    }

    @Override
    public String code() {
      return code;
    }
  }
}
