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
import io.sensorfleet.actors.capture.CaptureSupervisor;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.actors.instrument.InstrumentJournal.Actual;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Prometheus metrics (Micrometer): {@code http_server_requests_seconds} by method, route template (never the raw
 * path: ids would make series without bound) and status; {@code sensorfleet_instruments} by actual state, counted
 * at each scrape; the Capture Engine's counters, read at each scrape ({@code sensorfleet_capture_up} 1 or 0; per
 * capture interface {@code sensorfleet_capture_interface_received_frames} and {@code …_dropped_frames}; per passive
 * Instrument's branch {@code sensorfleet_capture_branch_delivered_frames}, {@code …_filtered_frames},
 * {@code …_dropped_frames}, {@code …_blocked_frames} and {@code sensorfleet_capture_branch_bytes}, labelled
 * {@code instrument} and {@code port}; they restart from 0 when a branch is attached again); JVM memory, threads
 * and CPU; per Instrument whose storage has been measured, {@code sensorfleet_instrument_storage_used_bytes} and
 * {@code sensorfleet_instrument_storage_quota_bytes}, labelled {@code instrument} and {@code kind} (persistent or
 * transient, only those its manifest asks for). Served at {@code GET /metrics} in the text format.
 */
public final class ApiMetrics {

  private static final ContentType PROMETHEUS_TEXT =
      ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MultiGauge instruments;
  private final Supplier<CompletionStage<List<Instrument.Status>>> list;
  private final Supplier<CompletionStage<CaptureSupervisor.Stats>> capture;
  private final MultiGauge captureUp;
  private final MultiGauge storageUsed;
  private final MultiGauge storageQuota;
  private final Map<String, MultiGauge> captureInterface = new java.util.LinkedHashMap<>();
  private final Map<String, MultiGauge> captureBranch = new java.util.LinkedHashMap<>();
  private final Endpoints endpoints = new Endpoints();
  /** The request timers met so far, one per series (bounded as the series are: methods, templates, statuses). */
  private final Map<Series, Timer> timers = new ConcurrentHashMap<>();
  /** Each template split at its slashes (so the first element is empty), and the template. */
  private volatile List<Map.Entry<String[], String>> templates = List.of();

  /** Without a Capture Engine (its gauges say it is down). */
  public ApiMetrics(Supplier<CompletionStage<List<Instrument.Status>>> list) {
    this(list, () -> java.util.concurrent.CompletableFuture.failedFuture(
        new IllegalStateException("no capture engine")));
  }

  /**
   * @param list    every Instrument's status, asked at each scrape
   * @param capture the Capture Engine's counters, asked at each scrape (a failure: the engine is down)
   */
  public ApiMetrics(Supplier<CompletionStage<List<Instrument.Status>>> list,
                    Supplier<CompletionStage<CaptureSupervisor.Stats>> capture) {
    this.list = list;
    this.capture = capture;
    this.captureUp = MultiGauge.builder("sensorfleet.capture.up")
        .description("1 while the Capture Engine's process runs and answers").register(registry);
    for (String name : List.of("received", "dropped")) {
      captureInterface.put(name, MultiGauge.builder("sensorfleet.capture.interface." + name + ".frames")
          .description("frames " + name + " on a capture interface (dropped: before any branch)")
          .register(registry));
    }
    for (String name : List.of("delivered", "filtered", "dropped", "blocked")) {
      captureBranch.put(name, MultiGauge.builder("sensorfleet.capture.branch." + name + ".frames")
          .description("frames " + name + " on a passive Instrument's branch (blocked: it tried to send them)")
          .register(registry));
    }
    captureBranch.put("bytes", MultiGauge.builder("sensorfleet.capture.branch.bytes")
        .description("bytes delivered to a passive Instrument").register(registry));
    this.instruments = MultiGauge.builder("sensorfleet.instruments")
        .description("Instruments by actual state")
        .register(registry);
    this.storageUsed = MultiGauge.builder("sensorfleet.instrument.storage.used.bytes")
        .description("bytes an Instrument uses in its persistent (encrypted) or transient (tmpfs) directory")
        .register(registry);
    this.storageQuota = MultiGauge.builder("sensorfleet.instrument.storage.quota.bytes")
        .description("the quota of an Instrument's persistent or transient directory").register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  /** The route templates requests are labelled with ({@code /api/v1/instruments/{id}}); others are "other". */
  public void useTemplates(Collection<String> operations) {
    this.templates = operations.stream().map(op -> op.substring(op.indexOf(' ') + 1)).distinct()
        .map(t -> Map.entry(t.split("/", -1), t))
        .toList();
  }

  /** Times every request that {@code inner} answers. */
  public Route measure(Supplier<Route> inner) {
    return extractRequest(request -> {
      long start = System.nanoTime();
      return mapResponse(response -> {
        timers.computeIfAbsent(new Series(request.method().value(), template(request.getUri().path()),
                response.status().intValue()), this::timer)
            .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return response;
      }, inner);
    });
  }

  /** One series of {@code http_server_requests_seconds}. */
  private record Series(String method, String uri, int status) {}

  /** Registered once per series, not per request (a builder, its tags and the registry's look-up each time). */
  private Timer timer(Series series) {
    return Timer.builder("http.server.requests")
        .description("HTTP requests served by Fleet Management")
        .tags("method", series.method(), "uri", series.uri(), "status", Integer.toString(series.status()))
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(120))
        .register(registry);
  }

  /** {@code GET /metrics}. */
  public Route route(Function<Supplier<Route>, Route> guard) {
    return endpoints.get("/metrics", vars -> guard.apply(() -> onSuccess(list.get().thenCombine(
        capture.get().thenApply(java.util.Optional::of).exceptionally(e -> java.util.Optional.empty()),
        (all, stats) -> {
          captureGauges(stats);
          return all;
        }), all -> {
      Map<Actual, Long> counts = all.stream().collect(Collectors.groupingBy(Instrument.Status::actual,
          Collectors.counting()));
      instruments.register(Arrays.stream(Actual.values()).map(state -> MultiGauge.Row.of(
          Tags.of("state", state.name().toLowerCase(Locale.ROOT).replace('_', '-')), counts.getOrDefault(state, 0L)))
          .toList(), true);
      storageGauges(all);
      return complete(HttpEntities.create(PROMETHEUS_TEXT, ByteString.fromString(registry.scrape())));
    })));
  }

  private void storageGauges(List<Instrument.Status> all) {
    List<MultiGauge.Row<?>> used = new java.util.ArrayList<>();
    List<MultiGauge.Row<?>> quota = new java.util.ArrayList<>();
    for (Instrument.Status s : all) {
      s.storage().ifPresent(u -> {
        if (u.persistentQuotaBytes() > 0) {
          Tags tags = Tags.of("instrument", s.id().value(), "kind", "persistent");
          used.add(MultiGauge.Row.of(tags, u.persistentUsedBytes()));
          quota.add(MultiGauge.Row.of(tags, u.persistentQuotaBytes()));
        }
        if (u.transientQuotaBytes() > 0) {
          Tags tags = Tags.of("instrument", s.id().value(), "kind", "transient");
          used.add(MultiGauge.Row.of(tags, u.transientUsedBytes()));
          quota.add(MultiGauge.Row.of(tags, u.transientQuotaBytes()));
        }
      });
    }
    storageUsed.register(used, true);
    storageQuota.register(quota, true);
  }

  private void captureGauges(java.util.Optional<CaptureSupervisor.Stats> stats) {
    captureUp.register(List.of(MultiGauge.Row.of(Tags.empty(), stats.isPresent() ? 1 : 0)), true);
    var ifaces = stats.map(CaptureSupervisor.Stats::interfaces).orElse(List.of());
    var branches = stats.map(CaptureSupervisor.Stats::branches).orElse(List.of());
    Map<String, java.util.function.ToLongFunction<CaptureSupervisor.InterfaceStats>> ifaceValues = Map.of(
        "received", CaptureSupervisor.InterfaceStats::received, "dropped", CaptureSupervisor.InterfaceStats::dropped);
    ifaceValues.forEach((name, value) -> captureInterface.get(name).register(ifaces.stream().map(i ->
        MultiGauge.Row.of(Tags.of("interface", i.name()), value.applyAsLong(i))).toList(), true));
    Map<String, java.util.function.ToLongFunction<CaptureSupervisor.BranchStats>> branchValues = Map.of(
        "delivered", CaptureSupervisor.BranchStats::delivered, "filtered", CaptureSupervisor.BranchStats::filtered,
        "dropped", CaptureSupervisor.BranchStats::dropped, "blocked", CaptureSupervisor.BranchStats::blocked,
        "bytes", CaptureSupervisor.BranchStats::bytes);
    branchValues.forEach((name, value) -> captureBranch.get(name).register(branches.stream().map(b ->
        MultiGauge.Row.of(Tags.of("instrument", b.instrument(), "port", b.port()), value.applyAsLong(b))).toList(),
        true));
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  /**
   * The template {@code path} matches ({@code {name}} stands for one non-empty segment, a trailing slash is allowed),
   * else "other". Compared segment by segment in place, without a regex or an allocation: it runs on every request.
   */
  String template(String path) {
    for (Map.Entry<String[], String> t : templates) {
      if (Endpoints.matches(t.getKey(), path)) {
        return t.getValue();
      }
    }
    return "other";
  }

}
