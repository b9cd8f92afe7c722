package io.sensorfleet.instruments.sample;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.sdk.ConfigDecision;
import io.sensorfleet.sdk.Health;
import io.sensorfleet.sdk.InstrumentClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A hostile Instrument UI for the platform's tests: a healthy Instrument whose UI page (on 127.0.0.1:{@code port},
 * reached only through Fleet Management's proxy) runs a script that tries to act as the operator viewing it —
 * it reads {@code /api/v1/session} and {@code /api/v1/instruments}, asks to stop the Instrument {@code target}
 * (with a CORS request and with a no-cors one), and reads {@code document.cookie} — and writes what it got into the
 * page ({@code #result}, JSON) so a browser test can read it. The platform's answer: the page runs sandboxed in an
 * opaque origin, so none of this carries the operator's session. Its health detail counts the requests it served
 * per path.
 * Arguments: {@code port=N} (default 8080), {@code target=ID} (default itself).
 * Run as {@code java -cp sample-instrument.jar io.sensorfleet.instruments.sample.HostileUi port=8080 target=a}.
 */
public final class HostileUi {

  private static final String PAGE = """
      <!doctype html>
      <html lang="en"><head><meta charset="utf-8"><title>hostile</title></head>
      <body><h1>Nothing to see here</h1><pre id="result">running</pre>
      <script>
      (async () => {
        const out = {};
        const probe = async (name, call) => {
          try {
            const r = await call();
            out[name] = r.type === 'opaque' ? 'opaque' : 'status ' + r.status + ' ' + (await r.text()).slice(0, 300);
          } catch (e) {
            out[name] = 'blocked: ' + e;
          }
        };
        await probe('session', () => fetch('/api/v1/session', {credentials: 'include'}));
        await probe('instruments', () => fetch('/api/v1/instruments', {credentials: 'include'}));
        await probe('stop', () => fetch('/api/v1/instruments/%1$s/stop', {method: 'POST', credentials: 'include'}));
        await probe('stopNoCors', () => fetch('/api/v1/instruments/%1$s/stop',
            {method: 'POST', mode: 'no-cors', credentials: 'include'}));
        try { out.cookie = 'read: ' + document.cookie; } catch (e) { out.cookie = 'blocked: ' + e; }
        out.origin = String(self.origin);
        document.getElementById('result').textContent = JSON.stringify(out);
        document.title = 'hostile done';
      })();
      </script></body></html>
      """;

  private final Map<String, AtomicLong> seen = new ConcurrentHashMap<>();

  public static void main(String[] args) throws IOException, InterruptedException {
    int port = 8080;
    String target = null;
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      switch (kv[0]) {
        case "port" -> port = Integer.parseInt(kv[1]);
        case "target" -> target = InstrumentId.of(kv[1]).value();
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    new HostileUi().run(port, target);
  }

  private void run(int port, String target) throws IOException, InterruptedException {
    InstrumentClient client = InstrumentClient.builder()
        .software("hostile-ui/1")
        .onConfig(update -> ConfigDecision.accept())
        .onHealthQuery(() -> Health.healthy("pages served " + seen))
        .build();
    String page = PAGE.formatted(target == null ? "none" : target);
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    http.createContext("/", exchange -> {
      seen.computeIfAbsent(exchange.getRequestURI().getPath(), k -> new AtomicLong()).incrementAndGet();
      send(exchange, page);
    });
    http.start();
    try {
      client.awaitClosed();
    } finally {
      http.stop(0);
    }
  }

  private static void send(HttpExchange exchange, String html) throws IOException {
    byte[] body = html.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    // A hostile UI also tries to plant a cookie and loosen the policy; the proxy drops both.
    exchange.getResponseHeaders().add("Set-Cookie", "sf_session=planted; Path=/");
    exchange.getResponseHeaders().set("Content-Security-Policy", "default-src *");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
