package io.sensorfleet.lxd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

class GatedSubscriberTest {

  private final List<String> signals = new CopyOnWriteArrayList<>();
  private final GatedSubscriber<String> gate = new GatedSubscriber<>(new Recorder());

  @Test
  void holds_back_the_subscription_until_opened() {
    gate.onSubscribe(new Upstream());
    assertEquals(List.of(), signals);
    gate.open(null);
    assertEquals(List.of("onSubscribe", "request"), signals);
    gate.onNext("a");
    assertEquals(List.of("onSubscribe", "request", "onNext a"), signals);
  }

  @Test
  void fails_the_subscriber_after_a_subscription_when_the_connection_fails() {
    gate.onSubscribe(new Upstream());
    gate.open(new IllegalStateException("down"));
    gate.onError(new IllegalStateException("stream failed too"));
    assertEquals(List.of("cancel", "onSubscribe", "onError down"), signals);
  }

  @Test
  void delivers_an_early_completion_after_the_subscription() {
    gate.onSubscribe(new Upstream());
    gate.onComplete();
    gate.open(null);
    assertEquals(List.of("onSubscribe", "request", "onComplete"), signals);
  }

  @Test
  void works_when_opened_before_the_upstream_subscribes() {
    gate.open(null);
    gate.onSubscribe(new Upstream());
    assertEquals(List.of("onSubscribe", "request"), signals);
  }

  private final class Upstream implements Flow.Subscription {
    @Override
    public void request(long n) {
      signals.add("request");
    }

    @Override
    public void cancel() {
      signals.add("cancel");
    }
  }

  private final class Recorder implements Flow.Subscriber<String> {
    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      signals.add("onSubscribe");
      subscription.request(1);
    }

    @Override
    public void onNext(String item) {
      signals.add("onNext " + item);
    }

    @Override
    public void onError(Throwable throwable) {
      signals.add("onError " + throwable.getMessage());
    }

    @Override
    public void onComplete() {
      signals.add("onComplete");
    }
  }
}
