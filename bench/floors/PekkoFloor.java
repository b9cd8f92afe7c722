import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import com.typesafe.config.ConfigFactory;
import io.sensorfleet.lxd.internal.UnixSocketTransport;
import java.io.File;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;

/**
 * A measuring stick for bench/proxy.sh, not product code: Pekko HTTP with nothing of the sensor's around it, under
 * the sensor's own configuration (conf/application.conf: dispatchers, Pekko IO) and its JVM options. {@code /health}
 * answers a small JSON with one route; {@code /ui/...} forwards to a UI socket exactly as the sensor's proxy does
 * ({@code singleRequest} on a pool of the same size over the sensor's {@link UnixSocketTransport}), without the
 * sensor's authentication, grant check, signature, header filtering and sandbox.
 *
 * <p>{@code java -cp "$(cat http/target/runtime.classpath)" bench/floors/PekkoFloor.java PORT UI_SOCKET CONF}
 */
public final class PekkoFloor {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Path socket = Path.of(args[1]);
    var config = ConfigFactory.parseFile(new File(args[2])).withFallback(ConfigFactory.load()).resolve();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "pekko-floor", config);
    Http http = Http.get(Adapter.toClassic(system));
    ConnectionPoolSettings pool = ConnectionPoolSettings.create(Adapter.toClassic(system))
        .withMaxConnections(16)
        .withMaxRetries(0)
        .withTransport(new UnixSocketTransport(socket));
    LoggingAdapter log = Logging.getLogger(Adapter.toClassic(system), PekkoFloor.class);
    Route route = concat(
        path("health", () -> complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"status\":\"ok\"}"))),
        pathPrefix("ui", () -> extractRequest(request -> onSuccess(
            http.singleRequest(forwarded(request), http.defaultClientHttpsContext(), pool, log),
            (HttpResponse response) -> complete(response)))));
    http.newServerAt("127.0.0.1", port).bind(route);
  }

  private static HttpRequest forwarded(HttpRequest request) {
    String path = request.getUri().path().substring("/ui".length());
    return HttpRequest.create()
        .withMethod(request.method())
        .withUri(Uri.create("http://instrument" + (path.isEmpty() ? "/" : path)))
        .withProtocol(request.protocol())
        .withEntity(request.entity());
  }
}
