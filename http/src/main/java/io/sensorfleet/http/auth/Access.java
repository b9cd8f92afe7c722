package io.sensorfleet.http.auth;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Operation;
import io.sensorfleet.http.json.ApiError;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpCookiePair;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Authentication and authorization of every API request, as directives the routes wrap themselves in. A request
 * authenticates with {@code Authorization: Bearer <token>} or the session cookie; without a live session of an
 * existing user it gets 401 (with {@code WWW-Authenticate}). An authenticated user below the operation's role gets
 * 403, and when the request would have changed something the refusal is audited (before the answer) with the
 * user as principal.
 */
public final class Access {

  private static final String BEARER = "bearer ";

  private final Sessions sessions;
  private final UserStore users;
  private final String cookieName;
  private final Function<AuditRequest, CompletionStage<?>> audit;
  private final ObjectMapper mapper;

  /**
   * @param audit records an entry and completes once it is stored
   */
  public Access(Sessions sessions, UserStore users, AuthSettings settings,
      Function<AuditRequest, CompletionStage<?>> audit, ObjectMapper mapper) {
    this.sessions = sessions;
    this.users = users;
    this.cookieName = settings.cookieName();
    this.audit = audit;
    this.mapper = mapper;
  }

  /** The caller, or 401. */
  public Route authenticated(Function<Caller, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> optionalCookie(cookieName, cookie -> {
      Optional<String> token = header.flatMap(Access::bearer).or(() -> cookie.map(HttpCookiePair::value));
      if (token.isEmpty()) {
        return unauthenticated("log in first: POST /api/v1/login, then send Authorization: Bearer <token>");
      }
      Optional<Sessions.Session> session = sessions.find(token.get());
      if (session.isEmpty()) {
        return unauthenticated("the session has ended or is unknown; log in again");
      }
      return onSuccess(users.get(session.get().user()), user -> user
          .map(u -> inner.apply(new Caller(u, token.get())))
          .orElseGet(() -> unauthenticated("the session's user no longer exists")));
    }));
  }

  /** {@code inner} when the caller may do {@code operation}, else 403 (audited if the request changes state). */
  public Route allowed(Caller caller, Operation operation, Supplier<Route> inner) {
    if (caller.may(operation)) {
      return inner.get();
    }
    String why = caller.user().name() + " (" + caller.user().role().wire() + ") may not " + describe(operation);
    return extractRequest(request -> {
      Route refusal = complete(StatusCodes.FORBIDDEN, new ApiError("forbidden", why), Jackson.marshaller(mapper));
      if (isSafe(request)) {
        return refusal;
      }
      String target = request.method().value() + " " + request.getUri().path();
      AuditRequest entry = AuditRequest.of(caller.principal(), "access denied", AuditKind.ACCESS, Outcome.DENIED, why)
          .withTarget(target.length() > AuditRequest.MAX_TARGET ? target.substring(0, AuditRequest.MAX_TARGET)
              : target)
          .withInstrument(instrumentOf(request));
      return onSuccess(audit.apply(entry), stored -> refusal);
    });
  }

  /** Authenticated and allowed. */
  public Route require(Operation operation, Function<Caller, Route> inner) {
    return authenticated(caller -> allowed(caller, operation, () -> inner.apply(caller)));
  }

  private Route unauthenticated(String message) {
    return respondWithHeader(RawHeader.create("WWW-Authenticate", "Bearer realm=\"sensorfleet\""),
        () -> complete(StatusCodes.UNAUTHORIZED, new ApiError("unauthenticated", message), Jackson.marshaller(mapper)));
  }

  private static Optional<String> bearer(String header) {
    return header.regionMatches(true, 0, BEARER, 0, BEARER.length())
        ? Optional.of(header.substring(BEARER.length()).strip()).filter(t -> !t.isEmpty())
        : Optional.empty();
  }

  private static boolean isSafe(HttpRequest request) {
    return request.method().equals(HttpMethods.GET) || request.method().equals(HttpMethods.HEAD)
        || request.method().equals(HttpMethods.OPTIONS);
  }

  /** The Instrument of {@code /api/v1/instruments/<id>/...}, so denials show up in the Instrument's audit too. */
  private static Optional<InstrumentId> instrumentOf(HttpRequest request) {
    String[] segments = request.getUri().path().split("/");
    if (segments.length > 4 && segments[3].equals("instruments") && InstrumentId.isValid(segments[4])) {
      return Optional.of(InstrumentId.of(segments[4]));
    }
    return Optional.empty();
  }

  private static String describe(Operation operation) {
    return switch (operation) {
      case Operation.Area area -> switch (area) {
        case READ -> "read";
        case LIFECYCLE -> "install, start, stop or remove Instruments";
        case CONFIG -> "change configurations";
        case RETENTION -> "change retention";
        case USERS -> "manage users";
        case PERMISSIONS -> "change bus permissions";
        case NETWORK -> "change which networks Instruments may use";
      };
      case Operation.OpenUi ui -> "open the UI of " + ui.instrument();
    } + " (" + operationName(operation) + ")";
  }

  private static String operationName(Operation operation) {
    return operation instanceof Operation.Area area ? area.name().toLowerCase(Locale.ROOT) : "ui";
  }
}
