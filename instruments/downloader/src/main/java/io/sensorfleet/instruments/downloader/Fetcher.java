package io.sensorfleet.instruments.downloader;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One fetch of a {@link Job}: an HTTP GET with the validators of the last fetch ({@code If-None-Match},
 * {@code If-Modified-Since}), streamed to a temporary file while it is hashed and counted, then stored by its
 * SHA-256 in the {@link ContentStore}.
 *
 * <ul>
 *   <li><b>Size limit</b>: a {@code Content-Length} above {@code max_bytes} is refused before the body is read; a
 *       body without one is cut off as soon as it passes the limit.
 *   <li><b>Timeout</b>: the whole attempt (connect, headers, body) must finish within the job's timeout; a server
 *       that trickles or stalls is cut off at the deadline (the body stream is closed under the reader).
 *   <li><b>Retries with backoff</b>: connection errors and 5xx / 429 answers are retried up to
 *       {@link Retry#attempts()} times in all, waiting {@code first}, then twice as long each time, at most
 *       {@code max}. Cut-offs (size, timeout), hash mismatches and other 4xx answers are not retried: doing it
 *       again would only cost the same again.
 *   <li><b>Expected hash</b>: when the job names a SHA-256, a body with another hash is refused and deleted.
 * </ul>
 */
public final class Fetcher {

  /** What one fetch came to. */
  public sealed interface Outcome {
    /** Attempts made (1 when the first one settled it). */
    int attempts();
  }

  /** A body was downloaded and stored at {@code file}. */
  public record Fetched(String sha256, long size, Path file, Optional<String> etag, Optional<String> lastModified,
                        int attempts) implements Outcome {}

  /** The server said 304 Not Modified: nothing was downloaded. */
  public record NotModified(int attempts) implements Outcome {}

  /** Stopped on purpose (size limit, timeout, hash mismatch): nothing was stored. */
  public record Refused(String reason, int attempts) implements Outcome {}

  /** The server could not be reached or kept failing; nothing was stored. */
  public record Failed(String reason, int attempts) implements Outcome {}

  /** The validators of the previous fetch, sent as conditional request headers. */
  public record Validators(Optional<String> etag, Optional<String> lastModified) {
    public static final Validators NONE = new Validators(Optional.empty(), Optional.empty());
  }

  /** How often and how patiently to try again. */
  public record Retry(int attempts, Duration first, Duration max) {
    public Retry {
      if (attempts < 1) {
        throw new IllegalArgumentException("attempts must be at least 1");
      }
    }

    /** The wait before attempt {@code next} (2, 3, ...): first, 2·first, 4·first, ... capped at max. */
    public Duration before(int next) {
      Duration wait = first.multipliedBy(1L << Math.min(20, next - 2));
      return wait.compareTo(max) > 0 ? max : wait;
    }
  }

  /** Waits between attempts; tests pass one that records instead of waiting. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private sealed interface Attempt {}

  private record Done(Outcome outcome) implements Attempt {}

  private record Transient(String reason) implements Attempt {}

  private final HttpClient http;
  private final ContentStore store;
  private final Retry retry;
  private final Sleeper sleeper;
  private final ScheduledExecutorService timer;

  public Fetcher(HttpClient http, ContentStore store, Retry retry, Sleeper sleeper, ScheduledExecutorService timer) {
    this.http = Objects.requireNonNull(http);
    this.store = Objects.requireNonNull(store);
    this.retry = Objects.requireNonNull(retry);
    this.sleeper = Objects.requireNonNull(sleeper);
    this.timer = Objects.requireNonNull(timer);
  }

  /** Fetches {@code job} (blocking: call it on a thread of its own). */
  public Outcome fetch(Job job, Validators previous) throws InterruptedException {
    String lastProblem = "";
    for (int attempt = 1; attempt <= retry.attempts(); attempt++) {
      if (attempt > 1) {
        sleeper.sleep(retry.before(attempt));
      }
      Attempt result = attempt(job, previous, attempt);
      if (result instanceof Done done) {
        return done.outcome();
      }
      lastProblem = ((Transient) result).reason();
    }
    return new Failed(lastProblem + " (gave up after " + retry.attempts() + " attempts)", retry.attempts());
  }

  private Attempt attempt(Job job, Validators previous, int attempt) throws InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(job.url()).GET().timeout(job.timeout())
        .header("User-Agent", "sensorfleet-downloader");
    previous.etag().ifPresent(tag -> request.header("If-None-Match", tag));
    previous.lastModified().ifPresent(date -> request.header("If-Modified-Since", date));
    AtomicBoolean timedOut = new AtomicBoolean();
    long deadline = System.nanoTime() + job.timeout().toNanos();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      return new Done(new Refused("timed out after " + job.timeout().toMillis() + " ms waiting for an answer",
          attempt));
    } catch (IOException e) {
      return new Transient("cannot reach " + job.url().getHost() + ": " + describe(e));
    }
    try (InputStream body = response.body()) {
      int status = response.statusCode();
      if (status == 304) {
        return new Done(new NotModified(attempt));
      }
      if (status >= 500 || status == 429) {
        return new Transient("HTTP " + status);
      }
      if (status != 200) {
        return new Done(new Failed("HTTP " + status, attempt));
      }
      OptionalLong length = response.headers().firstValueAsLong("Content-Length");
      if (length.isPresent() && length.getAsLong() > job.maxBytes()) {
        return new Done(new Refused("too large: Content-Length " + length.getAsLong() + " > max " + job.maxBytes()
            + " bytes", attempt));
      }
      long left = deadline - System.nanoTime();
      var cutOff = timer.schedule(() -> {
        timedOut.set(true);
        try {
          body.close();  // unblocks the reader below
        } catch (IOException ignored) {
          // closing anyway
        }
      }, Math.max(0, left), TimeUnit.NANOSECONDS);
      try {
        return new Done(store(job, response, body, attempt));
      } catch (IOException e) {
        if (timedOut.get()) {
          return new Done(new Refused("cut off after " + job.timeout().toMillis() + " ms: the body was too slow",
              attempt));
        }
        return new Transient("body of " + job.url().getHost() + " broke off: " + describe(e));
      } finally {
        cutOff.cancel(false);
      }
    } catch (IOException e) {
      return new Transient(describe(e));
    }
  }

  private Outcome store(Job job, HttpResponse<InputStream> response, InputStream body, int attempt)
      throws IOException {
    Path temporary = store.newTemporary();
    boolean kept = false;
    try {
      MessageDigest sha = sha256();
      long size = 0;
      try (var in = new DigestInputStream(body, sha); OutputStream out = Files.newOutputStream(temporary)) {
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
          size += n;
          if (size > job.maxBytes()) {
            return new Refused("too large: cut off after " + size + " bytes > max " + job.maxBytes() + " bytes",
                attempt);
          }
          out.write(buffer, 0, n);
        }
      }
      String hex = Job.hex(sha.digest());
      if (job.sha256().isPresent() && !job.sha256().get().equals(hex)) {
        return new Refused("hash mismatch: got sha256 " + hex + ", expected " + job.sha256().get(), attempt);
      }
      Path file = store.commit(temporary, hex);
      kept = true;
      return new Fetched(hex, size, file, response.headers().firstValue("ETag"),
          response.headers().firstValue("Last-Modified"), attempt);
    } finally {
      if (!kept) {
        Files.deleteIfExists(temporary);
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
