package io.sensorfleet.http.auth;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Operation;
import io.sensorfleet.core.access.Role;
import io.sensorfleet.http.ApiException;
import io.sensorfleet.http.Bodies;
import io.sensorfleet.http.Endpoints;
import io.sensorfleet.http.json.CreateUserRequest;
import io.sensorfleet.http.json.UpdateUserRequest;
import io.sensorfleet.http.json.UserView;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/users}: admins list, create, change (role, UI grants, password) and delete users. A new password
 * or a deleted user ends that user's sessions. Changes are audited by the user directory.
 */
public final class UserRoutes {

  private final Access access;
  private final UserStore users;
  private final PasswordHasher hasher;
  private final Sessions sessions;
  private final AuthSettings settings;
  private final Bodies bodies;
  private final ObjectMapper mapper;
  private final Endpoints endpoints = new Endpoints();

  public UserRoutes(Access access, UserStore users, PasswordHasher hasher, Sessions sessions, AuthSettings settings,
      Bodies bodies, ObjectMapper mapper) {
    this.access = access;
    this.users = users;
    this.hasher = hasher;
    this.sessions = sessions;
    this.settings = settings;
    this.bodies = bodies;
    this.mapper = mapper;
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  public Route route() {
    return concat(
        endpoints.get("/api/v1/users", vars -> access.require(Operation.Area.USERS, caller ->
            onSuccess(users.all(), all -> completeOK(all.stream().map(UserView::of).toList(),
                Jackson.marshaller(mapper))))),
        endpoints.post("/api/v1/users", vars -> access.require(Operation.Area.USERS, caller ->
            bodies.json(CreateUserRequest.class, request -> onSuccess(create(request, caller), user ->
                respondWithHeader(Location.create("/api/v1/users/" + user.username()),
                    () -> complete(StatusCodes.CREATED, user, Jackson.marshaller(mapper))))))),
        endpoints.get("/api/v1/users/{name}", vars -> access.require(Operation.Area.USERS, caller ->
            onSuccess(users.get(vars.get("name")), user -> completeOK(UserView.of(user.orElseThrow(() ->
                new ApiException.NotFound("unknown user " + vars.get("name")))), Jackson.marshaller(mapper))))),
        endpoints.patch("/api/v1/users/{name}", vars -> access.require(Operation.Area.USERS, caller ->
            bodies.json(UpdateUserRequest.class, request -> onSuccess(update(vars.get("name"), request, caller),
                user -> completeOK(user, Jackson.marshaller(mapper)))))),
        endpoints.delete("/api/v1/users/{name}", vars -> access.require(Operation.Area.USERS, caller ->
            onSuccess(users.delete(vars.get("name"), caller.principal()), done -> {
              sessions.closeAll(vars.get("name"));
              return complete(StatusCodes.NO_CONTENT);
            }))));
  }

  private CompletionStage<UserView> create(CreateUserRequest request, Caller caller) {
    Role role = role(request.role()).orElseThrow(() -> new ApiException.BadRequest("invalid-user", "role is missing",
        List.of(new io.sensorfleet.http.json.ApiError.FieldError("role", "required: viewer, operator or admin"))));
    if (request.username() == null) {
      throw new ApiException.BadRequest("invalid-user", "username is missing");
    }
    checkPassword(Optional.ofNullable(request.password()).orElseThrow(() ->
        new ApiException.BadRequest("invalid-user", "password is missing")));
    Set<InstrumentId> grants = grants(request.uiGrants()).orElse(Set.of());
    return hasher.hash(request.password())
        .thenCompose(hash -> users.create(request.username(), hash, role, grants, caller.principal()))
        .thenApply(UserView::of);
  }

  private CompletionStage<UserView> update(String name, UpdateUserRequest request, Caller caller) {
    Optional<Role> role = role(request.role());
    Optional<Set<InstrumentId>> grants = grants(request.uiGrants());
    CompletionStage<?> first = CompletableFuture.completedFuture(null);
    if (role.isPresent() || grants.isPresent()) {
      first = users.update(name, role, grants, caller.principal());
    }
    if (request.password() == null) {
      return first.thenCompose(v -> users.get(name))
          .thenApply(u -> UserView.of(u.orElseThrow(() -> new ApiException.NotFound("unknown user " + name))));
    }
    checkPassword(request.password());
    return first.thenCompose(v -> hasher.hash(request.password()))
        .thenCompose(hash -> users.setPassword(name, hash, caller.principal()))
        .thenApply(user -> {
          sessions.closeAll(name);
          return UserView.of(user);
        });
  }

  private void checkPassword(String password) {
    if (password.length() < settings.passwordMinLength()) {
      throw new ApiException.BadRequest("invalid-user", "the password is too short",
          List.of(new io.sensorfleet.http.json.ApiError.FieldError("password",
              "at least " + settings.passwordMinLength() + " characters")));
    }
  }

  private static Optional<Role> role(String value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Role.fromWire(value));
    } catch (IllegalArgumentException e) {
      throw new ApiException.BadRequest("invalid-user", e.getMessage(),
          List.of(new io.sensorfleet.http.json.ApiError.FieldError("role", e.getMessage())));
    }
  }

  private static Optional<Set<InstrumentId>> grants(List<String> ids) {
    if (ids == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ids.stream().map(InstrumentId::of).collect(Collectors.toSet()));
    } catch (IllegalArgumentException e) {
      throw new ApiException.BadRequest("invalid-user", e.getMessage(),
          List.of(new io.sensorfleet.http.json.ApiError.FieldError("uiGrants", e.getMessage())));
    }
  }
}
