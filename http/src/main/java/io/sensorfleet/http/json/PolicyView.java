package io.sensorfleet.http.json;

import io.sensorfleet.actors.bus.PolicyStore;
import io.sensorfleet.core.permission.Grant;
import java.time.Instant;
import java.util.List;

/**
 * The bus permission policy as the API shows it: {@code version} counts changes (0: never changed, everything
 * denied), each grant lets {@code subject} do {@code action} ({@code send}, {@code publish}, {@code subscribe},
 * {@code receive-resource}) on {@code object} (an Instrument id, a topic, a resource; {@code *} for any topic).
 */
public record PolicyView(long version, Instant changedAt, List<GrantView> grants) {

  public record GrantView(String subject, String action, String object) {
    public static GrantView of(Grant grant) {
      return new GrantView(grant.subject().value(), grant.action().wireName(), grant.object());
    }
  }

  public static PolicyView of(PolicyStore.State state) {
    return new PolicyView(state.version(), state.changedAt(),
        state.policy().grants().stream().map(GrantView::of).toList());
  }
}
