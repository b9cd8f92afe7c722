package io.sensorfleet.actors.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.storage.DeviceAttachment;
import io.sensorfleet.core.storage.InstrumentStorage;
import io.sensorfleet.core.storage.StorageException;
import io.sensorfleet.core.storage.StoragePlan;
import io.sensorfleet.core.storage.StorageRequest;
import io.sensorfleet.core.storage.StorageStatus;
import io.sensorfleet.core.storage.StorageUsage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class StorageMeterTest {
  static final ActorTestKit kit = ActorTestKit.create();
  static final InstrumentId ID = InstrumentId.of("meter-a");
  static final Duration RARELY = Duration.ofHours(1);

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  /** Storage whose every {@code usage} call waits for the test to complete it. */
  static final class FakeStorage implements InstrumentStorage {
    final LinkedBlockingQueue<CompletableFuture<StorageUsage>> calls = new LinkedBlockingQueue<>();

    CompletableFuture<StorageUsage> nextCall() throws InterruptedException {
      var call = calls.poll(3, TimeUnit.SECONDS);
      if (call == null) {
        throw new AssertionError("usage was not called");
      }
      return call;
    }

    @Override
    public CompletionStage<StorageUsage> usage(InstrumentId id) {
      var call = new CompletableFuture<StorageUsage>();
      calls.add(call);
      return call;
    }

    @Override
    public CompletionStage<StoragePlan> prepare(InstrumentId id, StorageRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<List<DeviceAttachment>> open(InstrumentId id, long containerRootHostUid) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<Void> close(InstrumentId id) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<Void> wipeTransient(InstrumentId id) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<Void> purge(InstrumentId id) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<List<StorageStatus>> list() {
      throw new UnsupportedOperationException();
    }
  }

  static StorageUsage usage(long persistentUsed, long transientUsed) {
    return new StorageUsage(ID, persistentUsed, 64L << 20, transientUsed, 16L << 20);
  }

  private ActorRef<StorageMeter.Command> meter(FakeStorage storage, Duration interval, TestProbe<StorageUsage> to) {
    return kit.spawn(StorageMeter.create(ID, storage, interval, to.getRef()));
  }

  @Test
  void aRefreshMeasuresAndReports() throws Exception {
    var storage = new FakeStorage();
    TestProbe<StorageUsage> reports = kit.createTestProbe();
    meter(storage, RARELY, reports).tell(new StorageMeter.Refresh());
    storage.nextCall().complete(usage(1 << 20, 4096));
    assertEquals(usage(1 << 20, 4096), reports.receiveMessage());
  }

  @Test
  void refreshesAskedDuringAMeasurementAreDoneOnceAfterIt() throws Exception {
    var storage = new FakeStorage();
    TestProbe<StorageUsage> reports = kit.createTestProbe();
    var meter = meter(storage, RARELY, reports);
    meter.tell(new StorageMeter.Refresh());
    var first = storage.nextCall();
    meter.tell(new StorageMeter.Refresh());
    meter.tell(new StorageMeter.Refresh());
    first.complete(usage(1, 0));
    assertEquals(usage(1, 0), reports.receiveMessage());
    storage.nextCall().complete(usage(2, 0));
    assertEquals(usage(2, 0), reports.receiveMessage());
    reports.expectNoMessage(Duration.ofMillis(200));
    assertNull(storage.calls.poll(), "only one measurement after the one under way");
  }

  @Test
  void aFailedMeasurementReportsNothingAndTheNextOneDoes() throws Exception {
    var storage = new FakeStorage();
    TestProbe<StorageUsage> reports = kit.createTestProbe();
    var meter = meter(storage, RARELY, reports);
    meter.tell(new StorageMeter.Refresh());
    storage.nextCall().completeExceptionally(new StorageException.NotPrepared(ID));
    reports.expectNoMessage(Duration.ofMillis(100));
    meter.tell(new StorageMeter.Refresh());
    storage.nextCall().complete(usage(3, 0));
    assertEquals(usage(3, 0), reports.receiveMessage());
  }

  @Test
  void measuresAgainEveryInterval() throws Exception {
    var storage = new FakeStorage();
    TestProbe<StorageUsage> reports = kit.createTestProbe();
    meter(storage, Duration.ofMillis(50), reports);
    storage.nextCall().complete(usage(5, 0));
    assertEquals(usage(5, 0), reports.receiveMessage());
    storage.nextCall().complete(usage(6, 0));
    assertEquals(usage(6, 0), reports.receiveMessage());
  }
}
