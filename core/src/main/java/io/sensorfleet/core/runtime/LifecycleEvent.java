package io.sensorfleet.core.runtime;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One lifecycle event of the container manager: {@code action} as LXD names it ({@code instance-started},
 * {@code instance-stopped}, {@code storage-volume-deleted}, ...), the API path of the object it concerns
 * ({@code source}, e.g. {@code /1.0/instances/sf-ids}) and its context, flattened to strings.
 */
public record LifecycleEvent(Instant timestamp, String action, String source, Map<String, String> context) {

  public static final String INSTANCE_STARTED = "instance-started";
  public static final String INSTANCE_STOPPED = "instance-stopped";
  public static final String INSTANCE_SHUTDOWN = "instance-shutdown";
  public static final String INSTANCE_DELETED = "instance-deleted";
  public static final String INSTANCE_CREATED = "instance-created";

  private static final String INSTANCES = "/1.0/instances/";

  public LifecycleEvent {
    context = Map.copyOf(context);
  }

  /** The container the event is about, if it is about one. */
  public Optional<String> instance() {
    if (source == null || !source.startsWith(INSTANCES)) {
      return Optional.empty();
    }
    String name = source.substring(INSTANCES.length()).split("[/?]", 2)[0];
    return name.isEmpty() ? Optional.empty() : Optional.of(name);
  }

  /** True for {@code action} about the container {@code name}. */
  public boolean is(String expectedAction, String name) {
    return expectedAction.equals(action) && instance().filter(name::equals).isPresent();
  }
}
