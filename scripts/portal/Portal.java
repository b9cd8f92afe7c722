import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.concurrent.Executors;

/**
 * The vendor portal of DownloaderBeaconIT and the demo (scripts/demo-portal.sh), run with the source launcher
 * inside a network namespace: {@code java Portal.java DIR PORT}. {@code /files/NAME} serves DIR/NAME with an ETag (its SHA-256) and
 * Last-Modified, answering 304 to a matching If-None-Match; {@code /big} streams 1 MiB without a length;
 * {@code /slow} sends a few bytes and then stalls. Every request is appended to DIR/requests.log as
 * "PATH STATUS if-none-match=... if-modified-since=...". Prints "listening" once it is.
 */
public class Portal {
  static Path dir;

  public static void main(String[] args) throws Exception {
    dir = Path.of(args[0]);
    HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[1])), 16);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/files/", Portal::file);
    server.createContext("/big", ex -> {
      log(ex, 200);
      ex.sendResponseHeaders(200, 0);
      try (OutputStream out = ex.getResponseBody()) {
        byte[] chunk = new byte[8192];
        for (int i = 0; i < 128; i++) {
          out.write(chunk);
        }
      } catch (IOException e) {
        // the client cut it off
      }
    });
    server.createContext("/slow", ex -> {
      log(ex, 200);
      ex.sendResponseHeaders(200, 0);
      try (OutputStream out = ex.getResponseBody()) {
        out.write("#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(120_000);
      } catch (IOException | InterruptedException e) {
        // the client cut it off
      }
    });
    server.start();
    System.out.println("listening");
    System.out.flush();
  }

  static void file(HttpExchange ex) throws IOException {
    Path file = dir.resolve(ex.getRequestURI().getPath().substring("/files/".length())).normalize();
    if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
      log(ex, 404);
      ex.sendResponseHeaders(404, -1);
      ex.close();
      return;
    }
    byte[] body = Files.readAllBytes(file);
    String etag;
    try {
      etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)) + "\"";
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    ex.getResponseHeaders().add("ETag", etag);
    ex.getResponseHeaders().add("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME
        .format(Files.getLastModifiedTime(file).toInstant().atOffset(ZoneOffset.UTC)));
    if (etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
      log(ex, 304);
      ex.sendResponseHeaders(304, -1);
      ex.close();
      return;
    }
    log(ex, 200);
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  static synchronized void log(HttpExchange ex, int status) throws IOException {
    String line = ex.getRequestURI().getPath() + " " + status + " if-none-match="
        + ex.getRequestHeaders().getFirst("If-None-Match") + " if-modified-since="
        + ex.getRequestHeaders().getFirst("If-Modified-Since") + "\n";
    Files.writeString(dir.resolve("requests.log"), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
