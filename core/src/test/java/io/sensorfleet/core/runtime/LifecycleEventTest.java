package io.sensorfleet.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class LifecycleEventTest {

  @Test
  void names_the_instance_from_the_source_path() {
    assertEquals(Optional.of("sf-ids"), event("/1.0/instances/sf-ids").instance());
    assertEquals(Optional.of("sf-ids"), event("/1.0/instances/sf-ids?project=default").instance());
    assertEquals(Optional.of("sf-ids"), event("/1.0/instances/sf-ids/snapshots/s1").instance());
    assertEquals(Optional.empty(), event("/1.0/storage-pools/default/volumes/custom/v").instance());
    assertTrue(event("/1.0/instances/sf-ids").is(LifecycleEvent.INSTANCE_STARTED, "sf-ids"));
  }

  @Test
  void finds_the_runtime_failure_behind_completion_wrappers() {
    var notFound = new ContainerRuntimeException.NotFound("state sf-x", 404, "Instance not found");
    var failed = CompletableFuture.failedFuture(notFound).thenApply(x -> x);
    var thrown = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, failed::join);
    assertEquals(Optional.of(notFound), ContainerRuntimeException.of(thrown));
    assertEquals("state sf-x: Instance not found (404)", notFound.getMessage());
  }

  private static LifecycleEvent event(String source) {
    return new LifecycleEvent(Instant.EPOCH, LifecycleEvent.INSTANCE_STARTED, source, Map.of());
  }
}
