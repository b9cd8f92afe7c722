package io.sensorfleet.lxd.internal;

import java.util.concurrent.Flow;

/**
 * Holds back {@code onSubscribe} from {@code downstream} until {@link #open} is called, so that a subscriber of a
 * stream that must first connect learns of its subscription only once the connection stands (or fails). Until
 * then it cannot request, so no element can overtake the subscription. All signals to {@code downstream} are
 * made under one lock, which keeps them serial as the Reactive Streams rules require even when they come from the
 * upstream's thread and from the thread calling {@code open}.
 */
public final class GatedSubscriber<T> implements Flow.Subscriber<T> {

  private final Flow.Subscriber<? super T> downstream;
  private Flow.Subscription upstream;
  private boolean opened;
  private boolean subscribed;
  private boolean terminated;
  private Throwable pendingError;
  private boolean pendingComplete;

  public GatedSubscriber(Flow.Subscriber<? super T> downstream) {
    this.downstream = downstream;
  }

  /** Lets the subscription through; with a {@code failure}, cancels upstream and fails the subscriber instead. */
  public synchronized void open(Throwable failure) {
    if (opened) {
      return;
    }
    opened = true;
    if (failure != null) {
      if (upstream != null) {
        upstream.cancel();
      }
      pendingError = pendingError == null ? failure : pendingError;
      subscribeDownstream(NOOP);
      flushTerminal();
      return;
    }
    if (upstream != null) {
      subscribeDownstream(upstream);
      flushTerminal();
    }
  }

  @Override
  public synchronized void onSubscribe(Flow.Subscription subscription) {
    if (upstream != null || terminated) {
      subscription.cancel();
      return;
    }
    upstream = subscription;
    if (opened) {
      if (pendingError != null) {
        subscription.cancel();
        subscribeDownstream(NOOP);
        flushTerminal();
      } else {
        subscribeDownstream(subscription);
      }
    }
  }

  @Override
  public synchronized void onNext(T item) {
    if (subscribed && !terminated) {
      downstream.onNext(item);
    }
  }

  @Override
  public synchronized void onError(Throwable throwable) {
    pendingError = pendingError == null ? throwable : pendingError;
    if (subscribed) {
      flushTerminal();
    }
  }

  @Override
  public synchronized void onComplete() {
    pendingComplete = true;
    if (subscribed) {
      flushTerminal();
    }
  }

  private void subscribeDownstream(Flow.Subscription subscription) {
    subscribed = true;
    downstream.onSubscribe(subscription);
  }

  private void flushTerminal() {
    if (terminated) {
      return;
    }
    if (pendingError != null) {
      terminated = true;
      downstream.onError(pendingError);
    } else if (pendingComplete) {
      terminated = true;
      downstream.onComplete();
    }
  }

  private static final Flow.Subscription NOOP = new Flow.Subscription() {
    @Override
    public void request(long n) {}

    @Override
    public void cancel() {}
  };
}
