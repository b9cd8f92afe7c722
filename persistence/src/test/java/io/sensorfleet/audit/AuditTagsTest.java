package io.sensorfleet.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sensorfleet.core.InstrumentId;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuditTagsTest {

  static AuditLog.Recorded recorded(AuditKind kind, Optional<InstrumentId> instrument) {
    return new AuditLog.Recorded(Instant.EPOCH, Principal.platform(), "x", kind, "", instrument, Outcome.OK, "");
  }

  @Test
  void tags_an_event_about_an_instrument_with_all_kind_and_instrument() {
    assertEquals(Set.of("audit", "kind:lifecycle", "instrument:ids"),
        AuditTags.tagsFor(recorded(AuditKind.LIFECYCLE, Optional.of(InstrumentId.of("ids")))));
  }

  @Test
  void tags_an_event_without_instrument_with_all_and_kind_only() {
    assertEquals(Set.of("audit", "kind:platform"), AuditTags.tagsFor(recorded(AuditKind.PLATFORM, Optional.empty())));
  }
}
