package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Prometheus metrics (Micrometer): {@code http_server_requests_seconds} by method, route template (never the raw
 * path: ids would make series without bound) and status; {@code sensorfleet_instruments} by actual state, counted
 * at each scrape; JVM memory, threads and CPU. Served at {@code GET /metrics} in the text format.
 */
public final class ApiMetrics {

  private static final ContentType PROMETHEUS_TEXT =
      ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MultiGauge instruments;
  private final Supplier<CompletionStage<List<Instrument.Status>>> list;
  private final Endpoints endpoints = new Endpoints();
  private volatile List<Map.Entry<Pattern, String>> templates = List.of();

  /** @param list every Instrument's status, asked at each scrape */
  public ApiMetrics(Supplier<CompletionStage<List<Instrument.Status>>> list) {
    this.list = list;
    this.instruments = MultiGauge.builder("sensorfleet.instruments")
        .description("Instruments by actual state")
        .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  /** The route templates requests are labelled with ({@code /api/v1/instruments/{id}}); others are "other". */
  public void useTemplates(Collection<String> operations) {
    this.templates = operations.stream().map(op -> op.substring(op.indexOf(' ') + 1)).distinct()
        .map(t -> Map.entry(Pattern.compile(Arrays.stream(t.split("/", -1))
            .map(s -> s.startsWith("{") ? "[^/]+" : Pattern.quote(s)).collect(Collectors.joining("/")) + "/?"), t))
        .toList();
  }

  /** Times every request that {@code inner} answers. */
  public Route measure(Supplier<Route> inner) {
    return extractRequest(request -> {
      long start = System.nanoTime();
      return mapResponse(response -> {
        Timer.builder("http.server.requests")
            .description("HTTP requests served by Fleet Management")
            .tags("method", request.method().value(), "uri", template(request.getUri().path()),
                "status", Integer.toString(response.status().intValue()))
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(120))
            .register(registry)
            .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return response;
      }, inner);
    });
  }

  /** {@code GET /metrics}. */
  public Route route(Function<Supplier<Route>, Route> guard) {
    return endpoints.get("/metrics", vars -> guard.apply(() -> onSuccess(list.get(), all -> {
      Map<Actual, Long> counts = all.stream().collect(Collectors.groupingBy(Instrument.Status::actual,
          Collectors.counting()));
      instruments.register(Arrays.stream(Actual.values()).map(state -> MultiGauge.Row.of(
          Tags.of("state", state.name().toLowerCase(Locale.ROOT).replace('_', '-')), counts.getOrDefault(state, 0L)))
          .toList(), true);
      return complete(HttpEntities.create(PROMETHEUS_TEXT, ByteString.fromString(registry.scrape())));
    })));
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  String template(String path) {
    for (Map.Entry<Pattern, String> t : templates) {
      if (t.getKey().matcher(path).matches()) {
        return t.getValue();
      }
    }
    return "other";
  }
}
