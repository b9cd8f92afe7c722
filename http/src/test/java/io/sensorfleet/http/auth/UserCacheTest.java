package io.sensorfleet.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sensorfleet.actors.user.UserDirectory.User;
import io.sensorfleet.core.access.Role;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UserCacheTest {

  static final User GUS = new User("gus", "hash", Role.VIEWER, Set.of(), Instant.EPOCH, Instant.EPOCH);

  @Test
  void an_answer_is_kept_until_a_change() {
    var cache = new UserCache();
    cache.keep("gus", Optional.of(GUS), cache.generation());
    assertEquals(Optional.of(GUS), cache.find("gus"));
    cache.changed();
    assertNull(cache.find("gus"));
  }

  @Test
  void an_answer_asked_for_before_a_change_and_arriving_after_it_is_not_kept() {
    var cache = new UserCache();
    long askedAt = cache.generation();
    cache.changed();
    cache.keep("gus", Optional.of(GUS), askedAt);
    assertNull(cache.find("gus"));
  }
}
