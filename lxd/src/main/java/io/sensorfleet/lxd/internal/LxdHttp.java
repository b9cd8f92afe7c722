package io.sensorfleet.lxd.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.lxd.LxdSettings;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;

/**
 * LXD's REST conventions over the Pekko HTTP client: every call reads the whole response, turns error envelopes
 * and transport failures into {@link ContainerRuntimeException}s, and waits for asynchronous operations with
 * {@code GET /1.0/operations/ID/wait?timeout=N}.
 */
public final class LxdHttp {

  /** Any host: the transport ignores it, but HTTP/1.1 needs one. */
  private static final String BASE = "http://lxd";
  /** Extra time the HTTP layer allows beyond LXD's own wait, so that LXD's answer wins the race. */
  private static final long MARGIN_MILLIS = 10_000;

  private final Http http;
  private final ConnectionPoolSettings pool;
  private final Materializer materializer;
  private final LoggingAdapter log;
  private final LxdSettings settings;

  public LxdHttp(Http http, ConnectionPoolSettings pool, Materializer materializer, LoggingAdapter log,
      LxdSettings settings) {
    this.http = http;
    this.pool = pool;
    this.materializer = materializer;
    this.log = log;
    this.settings = settings;
  }

  /** A response read to its end: status, headers by lower-case name, body. */
  public record Reply(int status, Map<String, String> headers, byte[] body) {
    public String header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
    }
  }

  // ---- request builders

  public static HttpRequest get(String path) {
    return HttpRequest.create().withMethod(HttpMethods.GET).withUri(uri(path));
  }

  public static HttpRequest delete(String path) {
    return HttpRequest.create().withMethod(HttpMethods.DELETE).withUri(uri(path));
  }

  public static HttpRequest json(HttpMethod method, String path, JsonNode body) {
    return HttpRequest.create().withMethod(method).withUri(uri(path))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, LxdJson.bytes(body)));
  }

  /** {@code path} may carry a query already encoded. */
  public static Uri uri(String path) {
    return Uri.create(BASE + path);
  }

  /** {@code path} with one query parameter, encoded (a container path may hold any character). */
  public static Uri uri(String path, String key, String value) {
    return uri(path).query(Query.create(Pair.create(key, value)));
  }

  // ---- calls

  /**
   * Sends a request whose answer is an LXD envelope and returns its metadata; for an asynchronous answer, waits
   * for the operation and returns the operation's metadata.
   */
  public CompletionStage<JsonNode> call(String action, HttpRequest request) {
    return send(action, request).thenCompose(reply -> {
      LxdJson.Envelope envelope = envelope(action, reply);
      if (envelope.isAsync()) {
        return awaitOperation(action, envelope.operation());
      }
      return CompletableFuture.completedFuture(envelope.metadata());
    });
  }

  /** Like {@link #call} but also returns the response headers (for the ETag). */
  public CompletionStage<Pair<JsonNode, Reply>> callWithHeaders(String action, HttpRequest request) {
    return send(action, request).thenApply(reply -> Pair.create(envelope(action, reply).metadata(), reply));
  }

  /** Sends a request whose successful answer is not JSON (file and log downloads). */
  public CompletionStage<Reply> raw(String action, HttpRequest request) {
    return send(action, request).thenApply(reply -> {
      if (reply.status() >= 400) {
        throw errorOf(action, reply);
      }
      return reply;
    });
  }

  /** Waits for an operation; fails with its error, or with {@code Timeout} if it is still running. */
  public CompletionStage<JsonNode> awaitOperation(String action, String operationPath) {
    if (operationPath.isEmpty()) {
      return CompletableFuture.failedFuture(new ContainerRuntimeException.Unreachable(
          action, "LXD answered async without an operation", null));
    }
    long seconds = settings.operationTimeout().toSeconds();
    return send(action, get(operationPath + "/wait?timeout=" + seconds)).thenApply(reply -> {
      LxdJson.Operation op = LxdJson.operation(envelope(action, reply).metadata());
      if (op.succeeded()) {
        return op.metadata();
      }
      if (op.failed()) {
        throw LxdErrors.ofOperation(action, op.statusCode(), op.err());
      }
      throw new ContainerRuntimeException.Timeout(action, "LXD operation " + op.id() + " still " + op.status()
          + " after " + seconds + " s (sensor.lxd.operation-timeout)");
    });
  }

  /** One exchange, response entity read to the end; transport failures become {@code Unreachable}. */
  public CompletionStage<Reply> send(String action, HttpRequest request) {
    long timeoutMillis = settings.operationTimeout().toMillis() + MARGIN_MILLIS;
    CompletionStage<Reply> reply;
    try {
      reply = http.singleRequest(request, http.defaultClientHttpsContext(), pool, log)
          .thenCompose(response -> response.entity()
              .toStrict(timeoutMillis, settings.maxResponseBytes(), materializer)
              .thenApply(strict -> new Reply(response.status().intValue(), headers(response),
                  strict.getData().toArray())));
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    return reply.exceptionallyCompose(failure -> CompletableFuture.failedFuture(unreachable(action, failure)));
  }

  private LxdJson.Envelope envelope(String action, Reply reply) {
    LxdJson.Envelope envelope;
    try {
      envelope = LxdJson.envelope(reply.body());
    } catch (RuntimeException e) {
      throw new ContainerRuntimeException.Unreachable(action,
          "LXD answered " + reply.status() + " with a body that is not its JSON: " + e.getMessage(), e);
    }
    if (envelope.isError() || reply.status() >= 400) {
      int status = envelope.errorCode() > 0 ? envelope.errorCode() : reply.status();
      throw LxdErrors.ofResponse(action, status, envelope.error().isEmpty() ? "HTTP " + reply.status()
          : envelope.error());
    }
    return envelope;
  }

  private static ContainerRuntimeException errorOf(String action, Reply reply) {
    try {
      LxdJson.Envelope envelope = LxdJson.envelope(reply.body());
      return LxdErrors.ofResponse(action, reply.status(), envelope.error().isEmpty() ? "HTTP " + reply.status()
          : envelope.error());
    } catch (RuntimeException e) {
      return LxdErrors.ofResponse(action, reply.status(), "HTTP " + reply.status());
    }
  }

  private ContainerRuntimeException unreachable(String action, Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ContainerRuntimeException known) {
      return known;
    }
    String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new ContainerRuntimeException.Unreachable(action,
        "LXD at " + settings.socket() + " unreachable: " + detail, cause);
  }

  /** The exception inside the wrappers {@code CompletableFuture} and Pekko add. */
  public static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static Map<String, String> headers(HttpResponse response) {
    var map = new TreeMap<String, String>();
    for (HttpHeader h : response.getHeaders()) {
      map.put(h.lowercaseName(), h.value());
    }
    return map;
  }
}
