package io.sensorfleet.instruments.sample;

import io.sensorfleet.sdk.ConfigDecision;
import io.sensorfleet.sdk.Health;
import io.sensorfleet.sdk.InstrumentClient;
import io.sensorfleet.sdk.UiIdentityVerifier;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A UI for the platform's tests of its UI proxy: on 127.0.0.1:{@code port} (argument {@code port=N}, default 8080) it
 * checks the identity Fleet Management signed ({@link UiIdentityVerifier}; 401 otherwise), answers {@code GET /} with
 * {@code sample ui: <user> <role>}, and upgrades {@code GET /echo} to a WebSocket that answers each text message
 * {@code m} with {@code <user>: m}. The smallest server that does this (RFC 6455, unfragmented frames, no
 * extensions), so the sample jar stays free of a web framework. Run as
 * {@code java -cp sample-instrument.jar io.sensorfleet.instruments.sample.EchoUi port=8080}.
 */
public final class EchoUi {

  private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final int MAX_HEADER = 16 * 1024;
  private static final int MAX_MESSAGE = 64 * 1024;

  private final UiIdentityVerifier identity;

  private EchoUi(UiIdentityVerifier identity) {
    this.identity = identity;
  }

  public static void main(String[] args) throws Exception {
    int port = 8080;
    for (String arg : args) {
      if (arg.startsWith("port=")) {
        port = Integer.parseInt(arg.substring(5));
      } else {
        throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    var identity = UiIdentityVerifier.fromEnvironment(System.getenv()).orElseThrow(() ->
        new IllegalStateException("no UI key: EchoUi runs under the platform, with ui.port in its manifest"));
    try (InstrumentClient client = InstrumentClient.builder()
        .software("echo-ui/1")
        .onConfig(update -> ConfigDecision.accept())
        .onHealthQuery(() -> Health.healthy("echo ui"))
        .build();
         ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
      EchoUi ui = new EchoUi(identity);
      Thread.ofVirtual().start(() -> {
        while (!server.isClosed()) {
          try {
            Socket socket = server.accept();
            Thread.ofVirtual().start(() -> ui.serve(socket));
          } catch (IOException e) {
            return;
          }
        }
      });
      client.awaitClosed();
    }
  }

  private void serve(Socket socket) {
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      String head = readHead(in);
      String[] lines = head.split("\r\n");
      String[] requestLine = lines[0].split(" ");
      String method = requestLine[0];
      String target = requestLine[1];
      Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.putIfAbsent(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
        }
      }
      var result = identity.verify(method, target, name -> Optional.ofNullable(headers.get(name)));
      if (!(result instanceof UiIdentityVerifier.Verified who)) {
        respond(out, "401 Unauthorized", ((UiIdentityVerifier.Refused) result).reason());
        return;
      }
      boolean upgrade = headers.getOrDefault("Upgrade", "").toLowerCase(Locale.ROOT).equals("websocket");
      if (target.equals("/echo") && upgrade && headers.containsKey("Sec-WebSocket-Key")) {
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: " + accept(headers.get("Sec-WebSocket-Key")) + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        echo(new DataInputStream(in), out, who.user());
      } else {
        respond(out, "200 OK", "sample ui: " + who.user() + " " + who.role());
      }
    } catch (IOException | RuntimeException e) {
      // The peer went away or sent garbage: this connection ends, the others go on.
    }
  }

  /** Text frames are answered; ping gets pong; close is returned and ends the connection. */
  private static void echo(DataInputStream in, OutputStream out, String user) throws IOException {
    while (true) {
      int b0 = in.readUnsignedByte();
      int b1 = in.readUnsignedByte();
      int opcode = b0 & 0x0f;
      long length = b1 & 0x7f;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      if (length > MAX_MESSAGE || (b1 & 0x80) == 0) {
        frame(out, 0x8, new byte[] {0x03, (byte) 0xf1});  // 1009 too big, or an unmasked client frame
        return;
      }
      byte[] mask = in.readNBytes(4);
      byte[] payload = in.readNBytes((int) length);
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i % 4];
      }
      switch (opcode) {
        case 0x1 -> frame(out, 0x1, (user + ": " + new String(payload, StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8));
        case 0x9 -> frame(out, 0xA, payload);
        case 0x8 -> {
          frame(out, 0x8, payload);
          return;
        }
        default -> { }
      }
    }
  }

  private static void frame(OutputStream out, int opcode, byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x80 | opcode);
    if (payload.length < 126) {
      frame.write(payload.length);
    } else {
      frame.write(126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xff);
    }
    frame.write(payload);
    out.write(frame.toByteArray());
    out.flush();
  }

  private static String accept(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + WS_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0 || head.size() > MAX_HEADER) {
        throw new IOException("no request head");
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static void respond(OutputStream out, String status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    out.write(("HTTP/1.1 " + status + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + bytes.length
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
  }
}
