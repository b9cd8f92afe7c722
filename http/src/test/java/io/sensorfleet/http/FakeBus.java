package io.sensorfleet.http;

import io.sensorfleet.actors.bus.PolicyStore;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.permission.Action;
import io.sensorfleet.core.permission.Decision;
import io.sensorfleet.core.permission.PermissionPolicy;
import io.sensorfleet.events.UserEvent;
import io.sensorfleet.events.UserEventFilter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/** An in-memory {@link Bus}: the policy store's version rule, the policy's decisions, a list of stored events. */
final class FakeBus implements Bus {

  PolicyStore.State state = new PolicyStore.State(PermissionPolicy.empty(), 0, Instant.EPOCH);
  final List<Principal> changedBy = new ArrayList<>();
  final List<UserEvent> stored = new ArrayList<>();
  List<UserEvent> live = List.of();

  @Override
  public CompletionStage<PolicyStore.State> policy() {
    return CompletableFuture.completedFuture(state);
  }

  @Override
  public CompletionStage<PolicyStore.State> replacePolicy(PermissionPolicy policy, long expectedVersion,
      Principal by) {
    if (expectedVersion != PolicyStore.Replace.ANY_VERSION && expectedVersion != state.version()) {
      return CompletableFuture.failedFuture(new ApiException.Conflict("the policy is at version " + state.version()));
    }
    state = new PolicyStore.State(policy, state.version() + 1, FakeFleet.T0);
    changedBy.add(by);
    return CompletableFuture.completedFuture(state);
  }

  @Override
  public CompletionStage<Decision> check(InstrumentId from, String object, Action action) {
    return CompletableFuture.completedFuture(state.policy().decide(from, object, action));
  }

  @Override
  public CompletionStage<List<UserEvent>> events(UserEventFilter filter) {
    return CompletableFuture.completedFuture(stored.stream()
        .filter(e -> filter.topic().map(e.topic()::equals).orElse(true))
        .filter(e -> filter.instrument().map(e.from()::equals).orElse(true))
        .filter(e -> filter.beforeSeq().map(b -> e.seq() < b).orElse(true))
        .sorted(Comparator.comparingLong(UserEvent::seq).reversed())
        .limit(filter.limit()).toList());
  }

  @Override
  public Source<UserEvent, NotUsed> live() {
    return Source.from(live);
  }
}
