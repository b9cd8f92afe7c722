package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import io.sensorfleet.audit.AuditEntry;
import io.sensorfleet.audit.AuditFilter;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.http.json.ApiError;
import io.sensorfleet.http.json.AuditEntryView;
import io.sensorfleet.http.json.AuditPageView;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/audit}: the audit log, newest first, filtered and paged.
 *
 * <p>Query parameters: {@code limit}, {@code before} (a seq: entries older than it), {@code from} and
 * {@code to} (ISO-8601 instants), {@code instrument}, {@code principal} ({@code user:alice},
 * {@code instrument:ids}, {@code platform}), {@code action}, {@code kind}, {@code outcome}
 * ({@code ok|denied|failed}). An unknown parameter or a bad value is a 400, so a typo never widens a query.
 */
public final class AuditRoutes {

  private static final Set<String> PARAMETERS =
      Set.of("limit", "before", "from", "to", "instrument", "principal", "action", "kind", "outcome");

  private final Function<AuditFilter, CompletionStage<List<AuditEntry>>> find;
  private final HttpSettings settings;
  private final ObjectMapper mapper;

  /**
   * @param find     answers a filtered page, newest first ({@code AuditQueries::findPage} in the sensor)
   * @param settings page size limits
   * @param mapper   the system's {@code jackson-json} mapper
   */
  public AuditRoutes(Function<AuditFilter, CompletionStage<List<AuditEntry>>> find, HttpSettings settings,
      ObjectMapper mapper) {
    this.find = find;
    this.settings = settings;
    this.mapper = mapper;
  }

  public Route route() {
    return pathPrefix("audit", () -> pathEndOrSingleSlash(() -> get(() -> parameterMap(this::query))));
  }

  private Route query(Map<String, String> params) {
    AuditFilter filter;
    try {
      filter = toFilter(params);
    } catch (IllegalArgumentException e) {
      return complete(StatusCodes.BAD_REQUEST, new ApiError("invalid-query", e.getMessage()),
          Jackson.marshaller(mapper));
    }
    return onSuccess(find.apply(filter), entries -> completeOK(page(entries, filter.limit()),
        Jackson.marshaller(mapper)));
  }

  private static AuditPageView page(List<AuditEntry> entries, int limit) {
    List<AuditEntryView> views = entries.stream().map(AuditEntryView::of).toList();
    Long nextBefore = entries.size() == limit && !entries.isEmpty() ? entries.getLast().seq() : null;
    return new AuditPageView(views, nextBefore);
  }

  AuditFilter toFilter(Map<String, String> params) {
    for (String name : params.keySet()) {
      if (!PARAMETERS.contains(name)) {
        throw new IllegalArgumentException("unknown parameter '" + name + "'; known: " + String.join(", ",
            PARAMETERS.stream().sorted().toList()));
      }
    }
    int limit = Optional.ofNullable(params.get("limit"))
        .map(v -> positiveLong("limit", v))
        .map(v -> {
          if (v > settings.auditMaxLimit()) {
            throw new IllegalArgumentException("limit must be at most " + settings.auditMaxLimit());
          }
          return v.intValue();
        })
        .orElse(settings.auditDefaultLimit());
    return new AuditFilter(
        Optional.ofNullable(params.get("from")).map(v -> instant("from", v)),
        Optional.ofNullable(params.get("to")).map(v -> instant("to", v)),
        Optional.ofNullable(params.get("instrument")).map(InstrumentId::of),
        Optional.ofNullable(params.get("principal")).filter(v -> !v.isBlank()),
        Optional.ofNullable(params.get("action")).filter(v -> !v.isBlank()),
        Optional.ofNullable(params.get("kind")).map(v -> enumValue(AuditKind.class, "kind", v)),
        Optional.ofNullable(params.get("outcome")).map(v -> enumValue(Outcome.class, "outcome", v)),
        Optional.ofNullable(params.get("before")).map(v -> positiveLong("before", v)),
        limit);
  }

  private static long positiveLong(String name, String value) {
    try {
      long n = Long.parseLong(value);
      if (n < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, was " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'");
    }
  }

  private static Instant instant(String name, String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(name + " must be an ISO-8601 instant such as 2026-11-22T08:00:00Z, was '"
          + value + "'");
    }
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String name, String value) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " must be one of " + java.util.Arrays.stream(type.getEnumConstants())
          .map(c -> c.name().toLowerCase(Locale.ROOT)).toList() + ", was '" + value + "'");
    }
  }
}
