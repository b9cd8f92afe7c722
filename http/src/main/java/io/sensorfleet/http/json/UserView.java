package io.sensorfleet.http.json;

import io.sensorfleet.actors.user.UserDirectory;
import io.sensorfleet.core.InstrumentId;
import java.time.Instant;
import java.util.List;

/** A Fleet Management user as the API shows it (never its hash). */
public record UserView(String username, String role, List<String> uiGrants, Instant createdAt, Instant changedAt) {

  public static UserView of(UserDirectory.User user) {
    return new UserView(user.name(), user.role().wire(), user.uiGrants().stream().map(InstrumentId::value).toList(),
        user.createdAt(), user.changedAt());
  }
}
