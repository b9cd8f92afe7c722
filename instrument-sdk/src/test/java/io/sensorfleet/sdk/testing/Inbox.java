package io.sensorfleet.sdk.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** What a callback received, in order, for a test to take with a bounded wait (never a sleep). */
public final class Inbox<T> {

  private final BlockingQueue<T> items = new LinkedBlockingQueue<>();

  public void add(T item) {
    items.add(item);
  }

  /** The next item, waiting at most {@link FakePlatform#TIMEOUT}. */
  public T take() {
    try {
      T item = items.poll(FakePlatform.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(item, "nothing arrived within " + FakePlatform.TIMEOUT);
      return item;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Takes items until one matches, and returns it. */
  public T takeUntil(Predicate<T> wanted) {
    while (true) {
      T item = take();
      if (wanted.test(item)) {
        return item;
      }
    }
  }

  /** The next item if one arrives within {@code wait}; for checking that none does. */
  public Optional<T> poll(Duration wait) throws InterruptedException {
    return Optional.ofNullable(items.poll(wait.toMillis(), TimeUnit.MILLISECONDS));
  }
}
