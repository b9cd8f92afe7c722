package io.sensorfleet.http.auth;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.actors.user.UserDirectory;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.http.Bodies;
import io.sensorfleet.http.Endpoints;
import io.sensorfleet.http.json.ApiError;
import io.sensorfleet.http.json.ChangePasswordRequest;
import io.sensorfleet.http.json.LoginRequest;
import io.sensorfleet.http.json.LoginView;
import io.sensorfleet.http.json.UserView;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpCookie;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.SameSite;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /api/v1/login}, {@code POST /api/v1/logout}, {@code GET /api/v1/session}. A login answers the token
 * and sets it as an HttpOnly, SameSite=Strict cookie. Failed and throttled logins are audited (with the user name
 * only when such a user exists, so a password typed into the name field is never recorded); passwords never are.
 */
public final class AuthRoutes {

  /** The principal of failed logins for names no user has: not a valid user name, so it cannot be anyone's. */
  static final Principal UNKNOWN = Principal.user("(unknown)");

  private final Access access;
  private final Sessions sessions;
  private final LoginThrottle throttle;
  private final PasswordHasher hasher;
  private final UserStore users;
  private final AuthSettings settings;
  private final Function<AuditRequest, CompletionStage<?>> audit;
  private final Bodies bodies;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final Endpoints endpoints = new Endpoints();

  public AuthRoutes(Access access, Sessions sessions, LoginThrottle throttle, PasswordHasher hasher, UserStore users,
      AuthSettings settings, Function<AuditRequest, CompletionStage<?>> audit, Bodies bodies, ObjectMapper mapper,
      Clock clock) {
    this.access = access;
    this.sessions = sessions;
    this.throttle = throttle;
    this.hasher = hasher;
    this.users = users;
    this.settings = settings;
    this.audit = audit;
    this.bodies = bodies;
    this.mapper = mapper;
    this.clock = clock;
  }

  public Route route() {
    return concat(
        endpoints.post("/api/v1/login", vars -> extractRequest(request -> bodies.text(body ->
            login(parse(body), source(request))))),
        endpoints.post("/api/v1/logout", vars -> access.authenticated(this::logout)),
        endpoints.get("/api/v1/session", vars -> access.authenticated(caller ->
            completeOK(UserView.of(caller.user()), Jackson.marshaller(mapper)))),
        endpoints.post("/api/v1/session/password", vars -> access.authenticated(caller ->
            bodies.json(ChangePasswordRequest.class, request -> changePassword(caller, request)))));
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  /**
   * The TCP peer's address, which the server records ({@code remote-address-attribute}). Never
   * {@code X-Forwarded-For} or {@code X-Real-IP} (what {@code extractClientIP} prefers): a client sets those
   * itself, and would get a fresh throttle key with each request.
   */
  private static String source(HttpRequest request) {
    return request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress).map(InetAddress::getHostAddress).orElse("unknown");
  }

  private LoginRequest parse(String body) {
    try {
      LoginRequest request = mapper.readValue(body, LoginRequest.class);
      if (request != null && request.username() != null && request.password() != null) {
        return request;
      }
    } catch (java.io.IOException | RuntimeException e) {
      // Fall through: the message must not quote the body, which holds a password.
    }
    throw new io.sensorfleet.http.ApiException.BadRequest("invalid-body",
        "expected {\"username\": \"...\", \"password\": \"...\"}");
  }

  private Route login(LoginRequest request, String source) {
    String name = request.username();
    Optional<Duration> wait = throttle.retryAfter(name, source);
    if (wait.isPresent()) {
      long seconds = Math.max(1, wait.get().toSeconds());
      return onSuccess(users.get(name), user -> onSuccess(record(user.map(UserDirectory.User::principal)
              .orElse(UNKNOWN), "login throttled", "from " + source + "; retry in " + seconds + " s"),
          stored -> respondWithHeader(RawHeader.create("Retry-After", Long.toString(seconds)),
              () -> complete(StatusCodes.TOO_MANY_REQUESTS, new ApiError("too-many-attempts",
                  "too many failed logins; retry in " + seconds + " s"), Jackson.marshaller(mapper)))));
    }
    return onSuccess(users.get(name), user -> onSuccess(
        hasher.matches(request.password(), user.map(UserDirectory.User::passwordHash)), ok -> {
          if (!ok) {
            throttle.failed(name, source);
            return onSuccess(record(user.map(UserDirectory.User::principal).orElse(UNKNOWN), "login failed",
                    "from " + source + (user.isPresent() ? ": wrong password" : ": no such user")),
                stored -> complete(StatusCodes.UNAUTHORIZED, new ApiError("invalid-credentials",
                    "wrong user name or password"), Jackson.marshaller(mapper)));
          }
          UserDirectory.User found = user.orElseThrow();
          throttle.succeeded(name);
          String token = sessions.open(found.name());
          var view = new LoginView(token, UserView.of(found), clock.instant().plus(settings.sessionMax()));
          return onSuccess(audit.apply(AuditRequest.of(found.principal(), "login", AuditKind.ACCESS, Outcome.OK,
                  "from " + source)),
              stored -> setCookie(cookie(token, settings.sessionMax().toSeconds()),
                  () -> completeOK(view, Jackson.marshaller(mapper))));
        }));
  }

  /**
   * Any user changes their own password with the current one (the first admin's generated password, for a start).
   * Every session of the user ends, this one too: the client logs in again.
   */
  private Route changePassword(Caller caller, ChangePasswordRequest request) {
    if (request.current() == null || request.password() == null) {
      throw new io.sensorfleet.http.ApiException.BadRequest("invalid-body", "expected {\"current\": \"...\", "
          + "\"password\": \"...\"}");
    }
    if (request.password().length() < settings.passwordMinLength()) {
      throw new io.sensorfleet.http.ApiException.BadRequest("invalid-user", "the password is too short",
          java.util.List.of(new ApiError.FieldError("password", "at least " + settings.passwordMinLength()
              + " characters")));
    }
    String name = caller.user().name();
    // Guessing the current password here counts like failed logins: a stolen session must not become an oracle.
    if (throttle.retryAfter(name, "session").isPresent()) {
      return complete(StatusCodes.TOO_MANY_REQUESTS, new ApiError("too-many-attempts",
          "too many wrong passwords; retry later"), Jackson.marshaller(mapper));
    }
    return onSuccess(hasher.matches(request.current(), Optional.of(caller.user().passwordHash())), ok -> {
      if (!ok) {
        throttle.failed(name, "session");
        return onSuccess(record(caller.principal(), "password change refused", "wrong current password"),
            stored -> complete(StatusCodes.FORBIDDEN, new ApiError("invalid-credentials",
                "the current password is wrong"), Jackson.marshaller(mapper)));
      }
      return onSuccess(hasher.hash(request.password()).thenCompose(hash ->
          users.setPassword(name, hash, caller.principal())), user -> {
            sessions.closeAll(name);
            return setCookie(cookie("", 0), () -> complete(StatusCodes.NO_CONTENT));
          });
    });
  }

  private CompletionStage<?> record(Principal principal, String action, String detail) {
    return audit.apply(AuditRequest.of(principal, action, AuditKind.ACCESS, Outcome.DENIED, detail));
  }

  private Route logout(Caller caller) {
    sessions.close(caller.token());
    return onSuccess(audit.apply(AuditRequest.of(caller.principal(), "logout", AuditKind.ACCESS, Outcome.OK, "")),
        stored -> setCookie(cookie("", 0), () -> complete(StatusCodes.NO_CONTENT)));
  }

  private HttpCookie cookie(String value, long maxAgeSeconds) {
    return HttpCookie.create(settings.cookieName(), value)
        .withPath("/")
        .withHttpOnly(true)
        .withSecure(settings.cookieSecure())
        .withSameSite(SameSite.Strict)
        .withMaxAge(maxAgeSeconds);
  }
}
