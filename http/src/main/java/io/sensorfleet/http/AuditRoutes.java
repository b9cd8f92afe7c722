package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import io.sensorfleet.audit.AuditEntry;
import io.sensorfleet.audit.AuditFilter;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.access.Operation;
import io.sensorfleet.http.auth.Access;
import io.sensorfleet.http.json.ApiError;
import io.sensorfleet.http.json.AuditEntryView;
import io.sensorfleet.http.json.AuditPageView;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.ContentDisposition;
import org.apache.pekko.http.javadsl.model.headers.ContentDispositionTypes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET /api/v1/audit}: the audit log, newest first, filtered and paged.
 *
 * <p>Query parameters: {@code limit}, {@code before} (a seq: entries older than it), {@code from} and
 * {@code to} (ISO-8601 instants), {@code instrument}, {@code principal} ({@code user:alice},
 * {@code instrument:ids}, {@code platform}), {@code action}, {@code kind}, {@code outcome}
 * ({@code ok|denied|failed}). An unknown parameter or a bad value is a 400, so a typo never widens a query.
 *
 * <p>{@code GET /api/v1/audit/export?format=csv|json} takes the same filters (not {@code limit}) and streams every
 * matching entry, newest first, page by page: memory stays bounded whatever the log's size. CSV cells that a
 * spreadsheet would run as a formula ({@code = + - @}, tab, CR) are prefixed with {@code '}: details may come from
 * Instruments, which are not trusted.
 */
public final class AuditRoutes {

  private static final Set<String> PARAMETERS =
      Set.of("limit", "before", "from", "to", "instrument", "principal", "action", "kind", "outcome");

  private final Function<AuditFilter, CompletionStage<List<AuditEntry>>> find;
  private final HttpSettings settings;
  private final ObjectMapper mapper;
  private final Access access;
  private final Endpoints endpoints = new Endpoints();
  private final ObjectWriter csvRow;
  private final String csvHeader;

  /**
   * @param find     answers a filtered page, newest first ({@code AuditQueries::findPage} in the sensor)
   * @param settings page size limits
   * @param mapper   the system's {@code jackson-json} mapper
   * @param access   authentication and roles: reading the audit needs a login
   */
  public AuditRoutes(Function<AuditFilter, CompletionStage<List<AuditEntry>>> find, HttpSettings settings,
      ObjectMapper mapper, Access access) {
    this.find = find;
    this.settings = settings;
    this.mapper = mapper;
    this.access = access;
    CsvMapper csv = new CsvMapper();
    csv.findAndRegisterModules();
    csv.disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);  // ISO-8601
    CsvSchema schema = csv.schemaFor(AuditEntryView.class);
    this.csvRow = csv.writerFor(AuditEntryView.class).with(schema.withoutHeader());
    this.csvHeader = String.join(",", schema.getColumnNames()) + "\n";
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  public Route route() {
    return concat(
        endpoints.get("/api/v1/audit", vars -> access.require(Operation.Area.READ,
            caller -> parameterMap(this::query))),
        endpoints.get("/api/v1/audit/export", vars -> access.require(Operation.Area.READ,
            caller -> parameterMap(this::export))));
  }

  private Route export(Map<String, String> params) {
    var rest = new java.util.HashMap<>(params);
    String format = Optional.ofNullable(rest.remove("format")).orElse("json");
    if (rest.containsKey("limit")) {
      return complete(StatusCodes.BAD_REQUEST, new ApiError("invalid-query", "export takes every matching entry: "
          + "no limit"), Jackson.marshaller(mapper));
    }
    AuditFilter filter;
    try {
      filter = toFilter(rest).withLimit(settings.auditMaxLimit());
    } catch (IllegalArgumentException e) {
      return complete(StatusCodes.BAD_REQUEST, new ApiError("invalid-query", e.getMessage()),
          Jackson.marshaller(mapper));
    }
    Source<AuditEntryView, NotUsed> entries = all(filter).map(AuditEntryView::of);
    return switch (format) {
      case "csv" -> complete(download(HttpResponse.create().withEntity(HttpEntities.create(
          ContentTypes.TEXT_CSV_UTF8, Source.single(csvHeader).concat(entries.map(this::csvLine))
              .map(ByteString::fromString))), "audit.csv"));
      case "json" -> complete(download(HttpResponse.create().withEntity(HttpEntities.create(
          ContentTypes.APPLICATION_JSON, entries.map(this::json).intersperse("[", ",\n", "]\n")
              .map(ByteString::fromString))), "audit.json"));
      default -> complete(StatusCodes.BAD_REQUEST, new ApiError("invalid-query", "format must be csv or json, was '"
          + format + "'"), Jackson.marshaller(mapper));
    };
  }

  private static HttpResponse download(HttpResponse response, String name) {
    return response.addHeader(ContentDisposition.create(ContentDispositionTypes.ATTACHMENT,
        Map.of("filename", name)));
  }

  /** Every entry matching {@code filter}, newest first, one page ({@code filter.limit()}) at a time. */
  private Source<AuditEntry, NotUsed> all(AuditFilter filter) {
    return Source.unfoldAsync(Optional.of(filter), next -> next.isEmpty()
            ? java.util.concurrent.CompletableFuture.completedFuture(Optional.empty())
            : find.apply(next.get()).thenApply(page -> Optional.of(Pair.create(
                page.size() == filter.limit() ? Optional.of(next.get().withBeforeSeq(page.getLast().seq()))
                    : Optional.<AuditFilter>empty(), page))))
        .mapConcat(page -> page);
  }

  private String csvLine(AuditEntryView view) {
    try {
      return csvRow.writeValueAsString(new AuditEntryView(view.seq(), view.occurredAt(), cell(view.principal()),
          cell(view.action()), view.kind(), cell(view.target()), view.instrument(), view.outcome(),
          cell(view.detail())));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String cell(String value) {
    if (value == null || value.isEmpty()) {
      return value;
    }
    return "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
  }

  private String json(AuditEntryView view) {
    try {
      return mapper.writeValueAsString(view);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
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
