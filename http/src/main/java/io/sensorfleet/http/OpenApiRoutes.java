package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/openapi.yaml}: the API's OpenAPI 3.1 document, a hand-written resource kept in step with the
 * routes by {@code OpenApiDocumentTest}. Public, like the API's shape itself.
 */
public final class OpenApiRoutes {

  /** The document's class-path location. */
  public static final String RESOURCE = "openapi.yaml";

  private static final ContentType YAML = ContentTypes.create(
      MediaTypes.applicationWithOpenCharset("yaml"), HttpCharsets.UTF_8);

  private final Endpoints endpoints = new Endpoints();

  public Route route() {
    return endpoints.get("/api/v1/openapi.yaml", vars -> getFromResource(RESOURCE, YAML));
  }

  public Endpoints endpoints() {
    return endpoints;
  }
}
