package io.sensorfleet.it.lxd;

import static io.sensorfleet.it.lxd.LxdTestKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sensorfleet.core.runtime.LifecycleEvent;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EventsIT {

  @RegisterExtension
  static final LxdTestKit kit = new LxdTestKit();

  @Test
  void the_event_source_reports_a_start_once_connected() {
    String name = kit.name("ev-src");
    await(kit.lxd.create(kit.spec("ev-src")));
    var running = kit.lxd.lifecycleEventSource()
        .filter(e -> e.is(LifecycleEvent.INSTANCE_STARTED, name))
        .toMat(Sink.head(), Keep.both())
        .run(kit.system);
    await(running.first());

    await(kit.lxd.start(name));
    LifecycleEvent started = await(running.second());
    assertEquals(Optional.of(name), started.instance());
  }

  @Test
  void the_port_publisher_subscribes_once_connected_and_reports_a_start() {
    String name = kit.name("ev-pub");
    await(kit.lxd.create(kit.spec("ev-pub")));
    var subscribed = new CompletableFuture<Void>();
    var started = new CompletableFuture<LifecycleEvent>();
    kit.lxd.lifecycleEvents().subscribe(new Flow.Subscriber<LifecycleEvent>() {
      private Flow.Subscription subscription;

      @Override
      public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        subscribed.complete(null);
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(LifecycleEvent event) {
        if (event.is(LifecycleEvent.INSTANCE_STARTED, name)) {
          started.complete(event);
          subscription.cancel();
        }
      }

      @Override
      public void onError(Throwable failure) {
        subscribed.completeExceptionally(failure);
        started.completeExceptionally(failure);
      }

      @Override
      public void onComplete() {
        started.completeExceptionally(new IllegalStateException("event stream ended"));
      }
    });
    await(subscribed);

    await(kit.lxd.start(name));
    assertEquals(LifecycleEvent.INSTANCE_STARTED, await(started).action());
  }
}
