package io.sensorfleet.http;

import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.RouteResult;
import org.apache.pekko.http.javadsl.testkit.RouteTest;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.apache.pekko.stream.Materializer;
import org.junit.jupiter.api.Assertions;
import scala.concurrent.Future;

/**
 * Pekko HTTP's route testkit ({@link RouteTest}: {@code testRoute(route).run(request).assertStatusCode(...)}) with
 * JUnit 5 assertions; the testkit's own bases are JUnit 4 rules. Subclasses share one actor system per class.
 */
public abstract class JupiterRouteTest extends RouteTest {

  protected abstract org.apache.pekko.actor.typed.ActorSystem<?> typedSystem();

  @Override
  public ActorSystem system() {
    return typedSystem().classicSystem();
  }

  @Override
  public Materializer materializer() {
    return Materializer.matFromSystem(typedSystem());
  }

  @Override
  public TestRouteResult createTestRouteResultAsync(HttpRequest request, Future<RouteResult> result) {
    return new TestRouteResult(result, awaitDuration(), system().dispatcher(), materializer()) {
      @Override
      public void assertEquals(Object expected, Object actual, String message) {
        Assertions.assertEquals(expected, actual, message);
      }

      @Override
      public void assertEquals(int expected, int actual, String message) {
        Assertions.assertEquals(expected, actual, message);
      }

      @Override
      public void assertTrue(boolean predicate, String message) {
        Assertions.assertTrue(predicate, message);
      }

      @Override
      public void fail(String message) {
        Assertions.fail(message);
      }
    };
  }
}
