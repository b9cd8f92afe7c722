package io.sensorfleet.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Fleet Management over real HTTP, as curl would use it: log in, then send the bearer token. One per user.
 */
public final class ApiClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One answer: its status and body. */
  public record Answer(int status, String body) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON (" + status + "): " + body, e);
      }
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String url;
  private final String token;

  private ApiClient(String url, String token) {
    this.url = url;
    this.token = token;
  }

  /** Logs in at {@code url} (ending in /); fails the test if the login is refused. */
  public static ApiClient login(String url, String user, String password) {
    var anonymous = new ApiClient(url, null);
    Answer answer = anonymous.send("POST", "api/v1/login",
        "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}", "application/json");
    if (answer.status() != 200) {
      throw new AssertionError("login of " + user + " refused: " + answer);
    }
    return new ApiClient(url, answer.json().get("token").asText());
  }

  /** A fresh bearer token of {@code user}, for clients other than this one (a WebSocket). */
  public static String token(String url, String user, String password) {
    return login(url, user, password).token;
  }

  public Answer get(String path) {
    return send("GET", path, null, null);
  }

  public Answer post(String path, String json) {
    return send("POST", path, json, "application/json");
  }

  public Answer post(String path) {
    return send("POST", path, null, null);
  }

  public Answer put(String path, String json) {
    return send("PUT", path, json, "application/json");
  }

  /**
   * The first line of the Server-Sent Events stream at {@code path} that {@code wanted} accepts, within
   * {@code timeout}; the stream is closed afterwards.
   */
  public String firstStreamed(String path, java.util.function.Predicate<String> wanted, Duration timeout) {
    var request = HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + token)
        .header("Accept", "text/event-stream").GET().build();
    var response = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
    try {
      return response.thenApply(r -> {
        try (var lines = r.body()) {
          return lines.filter(wanted).findFirst().orElseThrow();
        }
      }).get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      response.cancel(true);
      throw new AssertionError("no matching event on " + path + " within " + timeout, e);
    }
  }

  /** A GET with the whole response (headers included), e.g. of a proxied UI page. */
  public HttpResponse<String> getFull(String path) {
    var request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + token).header("Accept", "text/html").GET().build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code path} relative to the sensor's URL, e.g. {@code api/v1/instruments}. */
  public Answer send(String method, String path, String body, String contentType) {
    var builder = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(150))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      builder.header("Content-Type", contentType);
    }
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
