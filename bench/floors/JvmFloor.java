import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A measuring stick for bench/proxy.sh, not product code: the JVM's own floor for a paced HTTP/1.1 load, with no
 * framework. One thread, one selector, keep-alive connections, every request (anything up to a blank line; no body)
 * answered with the same small JSON, like the sensor's {@code /api/v1/health}. If this serves the load as nginx
 * does, the JVM is not what keeps the sensor's HTTP path from it.
 *
 * <p>{@code java bench/floors/JvmFloor.java PORT} (Java's single-file launch; serves 127.0.0.1:PORT until killed).
 */
public final class JvmFloor {
  private static final byte[] ANSWER = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
      + "{\"status\":\"ok\"}").getBytes(StandardCharsets.US_ASCII);

  /** How far a connection is into a blank line ("\r\n\r\n"): 0 to 3 bytes of it seen. */
  private static final class Connection {
    int matched;

    int requestsEndingIn(ByteBuffer in, int length) {
      int requests = 0;
      for (int i = 0; i < length; i++) {
        byte b = in.get(i);
        boolean next = b == (matched % 2 == 0 ? '\r' : '\n');
        matched = next ? matched + 1 : (b == '\r' ? 1 : 0);
        if (matched == 4) {
          requests++;
          matched = 0;
        }
      }
      return requests;
    }
  }

  public static void main(String[] args) throws IOException {
    Selector selector = Selector.open();
    ServerSocketChannel server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])));
    server.configureBlocking(false);
    server.register(selector, SelectionKey.OP_ACCEPT);
    ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
    while (true) {
      selector.select(key -> {
        try {
          if (key.isAcceptable()) {
            accept(server, selector);
          } else {
            serve(key, in);
          }
        } catch (IOException e) {
          key.cancel();
        }
      });
    }
  }

  private static void accept(ServerSocketChannel server, Selector selector) throws IOException {
    SocketChannel client = server.accept();
    if (client != null) {
      client.configureBlocking(false);
      client.setOption(StandardSocketOptions.TCP_NODELAY, true);
      client.register(selector, SelectionKey.OP_READ, new Connection());
    }
  }

  private static void serve(SelectionKey key, ByteBuffer in) throws IOException {
    SocketChannel client = (SocketChannel) key.channel();
    in.clear();
    int read = client.read(in);
    if (read < 0) {
      key.cancel();
      client.close();
      return;
    }
    int requests = ((Connection) key.attachment()).requestsEndingIn(in, read);
    for (int i = 0; i < requests; i++) {
      client.write(ByteBuffer.wrap(ANSWER));
    }
  }
}
