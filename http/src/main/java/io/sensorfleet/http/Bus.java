package io.sensorfleet.http;

import io.sensorfleet.actors.bus.PolicyStore;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.permission.Action;
import io.sensorfleet.core.permission.Decision;
import io.sensorfleet.core.permission.PermissionPolicy;
import io.sensorfleet.events.UserEvent;
import io.sensorfleet.events.UserEventFilter;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * What the permission and event routes ask of the sensor's bus. {@link GuardianBus} is the sensor's; tests pass
 * fakes. A stale {@code expectedVersion} fails with {@link ApiException.Conflict}.
 */
public interface Bus {

  CompletionStage<PolicyStore.State> policy();

  /** Replaces the policy; {@code expectedVersion} is {@link PolicyStore.Replace#ANY_VERSION} or the one read. */
  CompletionStage<PolicyStore.State> replacePolicy(PermissionPolicy policy, long expectedVersion, Principal by);

  CompletionStage<Decision> check(InstrumentId from, String object, Action action);

  /** Stored {@code users} events, newest first. */
  CompletionStage<List<UserEvent>> events(UserEventFilter filter);

  /** {@code users} events as they are published from now on (a slow reader loses the oldest, never blocks). */
  Source<UserEvent, NotUsed> live();
}
