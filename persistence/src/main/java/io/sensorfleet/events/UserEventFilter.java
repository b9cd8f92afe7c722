package io.sensorfleet.events;

import io.sensorfleet.core.InstrumentId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Which stored user events to read, newest first: all filters optional and combined with AND; {@code beforeSeq}
 * pages backwards (pass the smallest seq of the previous page).
 */
public record UserEventFilter(Optional<String> topic, Optional<InstrumentId> instrument, Optional<Instant> from,
                              Optional<Instant> to, Optional<Long> beforeSeq, int limit) {

  public static final int MAX_LIMIT = 1_000;

  public UserEventFilter {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(instrument, "instrument");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(beforeSeq, "beforeSeq");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", got " + limit);
    }
  }

  /** Everything, newest first, {@code limit} at a time. */
  public static UserEventFilter all(int limit) {
    return new UserEventFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), limit);
  }

  public UserEventFilter withTopic(String value) {
    return new UserEventFilter(Optional.of(value), instrument, from, to, beforeSeq, limit);
  }

  public UserEventFilter withInstrument(InstrumentId value) {
    return new UserEventFilter(topic, Optional.of(value), from, to, beforeSeq, limit);
  }

  public UserEventFilter between(Optional<Instant> since, Optional<Instant> until) {
    return new UserEventFilter(topic, instrument, since, until, beforeSeq, limit);
  }

  public UserEventFilter before(long seq) {
    return new UserEventFilter(topic, instrument, from, to, Optional.of(seq), limit);
  }
}
