package io.sensorfleet.lxd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A stand-in for LXD on a unix socket: a minimal HTTP/1.1 server (Content-Length bodies, keep-alive) that records
 * every request and answers with canned responses, so the adapter's requests and its handling of LXD's answers
 * are tested without a daemon.
 */
final class FakeLxd implements AutoCloseable {

  /** A request as received; header names in lower case. */
  record Request(String method, String target, Map<String, String> headers, byte[] body) {
    String line() {
      return method + " " + target;
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** A canned answer. */
  record Response(int status, Map<String, String> headers, byte[] body) {
    static Response json(int status, String json) {
      return new Response(status, Map.of("Content-Type", "application/json"), json.getBytes(StandardCharsets.UTF_8));
    }

    static Response sync(String metadataJson) {
      return json(200, "{\"type\":\"sync\",\"status\":\"Success\",\"status_code\":200,\"operation\":\"\","
          + "\"error_code\":0,\"error\":\"\",\"metadata\":" + metadataJson + "}");
    }

    static Response async(String operationId) {
      return json(202, "{\"type\":\"async\",\"status\":\"Operation created\",\"status_code\":100,"
          + "\"operation\":\"/1.0/operations/" + operationId + "\",\"error_code\":0,\"error\":\"\",\"metadata\":{}}");
    }

    static Response error(int code, String message) {
      return json(code, "{\"type\":\"error\",\"status\":\"\",\"status_code\":0,\"operation\":\"\","
          + "\"error_code\":" + code + ",\"error\":\"" + message + "\",\"metadata\":null}");
    }

    static Response operation(String status, int statusCode, String err, String metadataJson) {
      return sync("{\"id\":\"op\",\"class\":\"task\",\"status\":\"" + status + "\",\"status_code\":" + statusCode
          + ",\"err\":\"" + err + "\",\"metadata\":" + metadataJson + "}");
    }

    static Response bytes(byte[] body, Map<String, String> headers) {
      var all = new LinkedHashMap<>(headers);
      all.put("Content-Type", "application/octet-stream");
      return new Response(200, all, body);
    }

    static Response resource(String name) {
      try (InputStream in = FakeLxd.class.getResourceAsStream("/lxd-5.0.2/" + name)) {
        byte[] body = in.readAllBytes();
        int status = new String(body, StandardCharsets.UTF_8).contains("\"type\": \"error\"") ? 404 : 200;
        return new Response(status, Map.of("Content-Type", "application/json"), body);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  final Path socket;
  final List<Request> requests = new CopyOnWriteArrayList<>();
  private final ServerSocketChannel server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final Function<Request, Response> answer;

  FakeLxd(Path dir, Function<Request, Response> answer) throws IOException {
    this.socket = dir.resolve("fake-lxd.sock");
    this.answer = answer;
    Files.deleteIfExists(socket);
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    threads.submit(this::acceptLoop);
  }

  /** The request lines received, e.g. {@code GET /1.0}. */
  List<String> lines() {
    return requests.stream().map(Request::line).toList();
  }

  Request request(String line) {
    return requests.stream().filter(r -> r.line().equals(line)).findFirst()
        .orElseThrow(() -> new AssertionError("no request " + line + " in " + lines()));
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel ch = server.accept();
        threads.submit(() -> serve(ch));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(SocketChannel ch) {
    try (ch) {
      InputStream in = Channels.newInputStream(ch);
      while (true) {
        String requestLine = readLine(in);
        if (requestLine == null || requestLine.isEmpty()) {
          return;
        }
        var headers = new LinkedHashMap<String, String>();
        for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
          int colon = h.indexOf(':');
          headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
        String[] parts = requestLine.split(" ");
        var request = new Request(parts[0], parts[1], headers, body);
        requests.add(request);
        write(ch, answer.apply(request));
      }
    } catch (IOException e) {
      // The client went away.
    }
  }

  private static void write(SocketChannel ch, Response response) throws IOException {
    var head = new StringBuilder("HTTP/1.1 " + response.status() + " X\r\n");
    response.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("Content-Length: ").append(response.body().length).append("\r\n\r\n");
    var out = new ByteArrayOutputStream();
    out.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(response.body());
    ByteBuffer buffer = ByteBuffer.wrap(out.toByteArray());
    while (buffer.hasRemaining()) {
      ch.write(buffer);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    var line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        String s = line.toString(StandardCharsets.US_ASCII);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
    Files.deleteIfExists(socket);
  }
}
