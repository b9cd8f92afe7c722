package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.head;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.pathSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.reject;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeaders;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The web console (module {@code console/}, built by Vite into class-path resources under
 * {@code io/sensorfleet/console/}): {@code GET /} and {@code /index.html} answer the page with
 * {@code Cache-Control: no-cache} (so a new build is picked up at once), {@code GET /assets/<name>} the
 * content-hashed scripts and styles with {@code public, max-age=31536000, immutable}. The page itself is public,
 * as a login form must be; everything it shows comes from {@code /api/v1} with the session cookie that
 * {@code POST /api/v1/login} sets, under the same roles as any other client. Every answer carries a strict
 * Content-Security-Policy (own origin only: no CDN, no inline script, no framing). {@code HEAD} answers like
 * {@code GET} on each of them, without the body.
 */
public final class ConsoleRoutes {

  /** Where the console's build lives on the class path. */
  public static final String RESOURCE_ROOT = "io/sensorfleet/console/";
  static final String PAGE_CACHE = "no-cache";
  static final String ASSET_CACHE = "public, max-age=31536000, immutable";
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

  /** Asset names as Vite writes them; anything else (a slash, {@code ..}) is simply not found. */
  private static final Pattern ASSET_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
  private static final Map<String, ContentType> TYPES = Map.of(
      "js", ContentTypes.create(MediaTypes.APPLICATION_JAVASCRIPT, HttpCharsets.UTF_8),
      "css", ContentTypes.create(MediaTypes.TEXT_CSS, HttpCharsets.UTF_8),
      "svg", ContentTypes.create(MediaTypes.IMAGE_SVG_XML),
      "png", ContentTypes.create(MediaTypes.IMAGE_PNG),
      "woff2", ContentTypes.APPLICATION_OCTET_STREAM,
      "ico", ContentTypes.create(MediaTypes.IMAGE_X_ICON));

  private final String root;
  private final ClassLoader loader;
  /** Resources read once: the build is fixed for the life of the process. */
  private final Map<String, Optional<byte[]>> cache = new ConcurrentHashMap<>();

  /** The console built into this class path. */
  public ConsoleRoutes() {
    this(RESOURCE_ROOT, ConsoleRoutes.class.getClassLoader());
  }

  ConsoleRoutes(String root, ClassLoader loader) {
    this.root = root;
    this.loader = loader;
  }

  public Route route() {
    // Paths first, the method inside: a passing get() would cancel the API's 405s for other GET requests.
    return concat(
        pathSingleSlash(() -> getOrHead(this::page)),
        path("index.html", () -> getOrHead(this::page)),
        pathPrefix("assets", () -> path(segment(ASSET_NAME), name -> getOrHead(() -> asset(name)))));
  }

  /**
   * GET, and HEAD with the same status and headers (monitors and proxies probe with HEAD). The server sends a
   * HEAD answer without its body, keeping its Content-Length.
   */
  private static Route getOrHead(java.util.function.Supplier<Route> inner) {
    return concat(get(inner), head(inner));
  }

  private Route page() {
    return resource("index.html").map(bytes -> respondWithHeaders(headers(PAGE_CACHE), () ->
            complete(StatusCodes.OK, HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, bytes))))
        .orElseGet(() -> complete(StatusCodes.NOT_FOUND, "the console is not built into this sensor (module console/)"));
  }

  private Route asset(String name) {
    int dot = name.lastIndexOf('.');
    ContentType type = dot < 0 ? null : TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    Optional<byte[]> bytes = type == null ? Optional.empty() : resource("assets/" + name);
    return bytes.map(b -> respondWithHeaders(headers(ASSET_CACHE), () ->
        complete(StatusCodes.OK, HttpEntities.create(type, b)))).orElseGet(() -> reject());
  }

  private static List<HttpHeader> headers(String cache) {
    return List.of(RawHeader.create("Cache-Control", cache), RawHeader.create("Content-Security-Policy", CSP),
        RawHeader.create("X-Content-Type-Options", "nosniff"), RawHeader.create("Referrer-Policy", "no-referrer"));
  }

  private Optional<byte[]> resource(String name) {
    return cache.computeIfAbsent(name, n -> {
      try (InputStream in = loader.getResourceAsStream(root + n)) {
        return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
