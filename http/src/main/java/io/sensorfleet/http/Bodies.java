package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * Request bodies: read whole up to {@code sensor.http.max-body} (above it the stream fails and {@code FleetApi}
 * answers 413), then parsed here so a bad body is a 400 whose message never quotes the body (it may hold a password).
 */
public final class Bodies {

  private final ObjectMapper mapper;
  private final long maxBytes;

  public Bodies(ObjectMapper mapper, long maxBytes) {
    this.mapper = mapper;
    this.maxBytes = maxBytes;
  }

  /** The body as UTF-8 text. */
  public Route text(Function<String, Route> inner) {
    return withSizeLimit(maxBytes, () -> entity(Unmarshaller.entityToString(), inner));
  }

  /** The body as JSON of {@code type}; 400 {@code invalid-body} when it is not. */
  public <T> Route json(Class<T> type, Function<T, Route> inner) {
    return text(body -> {
      T value;
      try {
        // Strict, unlike the journal's mapper: a misspelt field ({"rol": "admin"}) must not be a silent no-op.
        value = mapper.readerFor(type).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(body);
      } catch (JsonProcessingException e) {
        throw new ApiException.BadRequest("invalid-body", "the body is not a valid " + type.getSimpleName()
            + ": " + e.getOriginalMessage());
      }
      if (value == null) {
        throw new ApiException.BadRequest("invalid-body", "the body is empty");
      }
      return inner.apply(value);
    });
  }
}
