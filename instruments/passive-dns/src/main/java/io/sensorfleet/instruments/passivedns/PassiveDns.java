package io.sensorfleet.instruments.passivedns;

import io.sensorfleet.core.protocol.ErrorCode;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.protocol.Topic;
import io.sensorfleet.instruments.support.Json;
import io.sensorfleet.sdk.BusEvent;
import io.sensorfleet.sdk.ConfigDecision;
import io.sensorfleet.sdk.ConfigUpdate;
import io.sensorfleet.sdk.DataDirectory;
import io.sensorfleet.sdk.Health;
import io.sensorfleet.sdk.InstrumentClient;
import io.sensorfleet.sdk.RetentionResult;
import io.sensorfleet.sdk.RetentionSweeper;
import io.sensorfleet.sdk.UiIdentityVerifier;
import io.sensorfleet.core.access.UiSignature;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The reference passive-DNS Instrument: subscribes to {@code dns}, counts every (name, type, answer) it sees in an
 * embedded database in its persistent directory, deletes what was last seen before the retention cutoff, and
 * serves a search UI and JSON API on its UI port. docs/reference-instruments.md has the shapes.
 *
 * <p>Sightings are stamped with the platform's {@code occurred_at}, not the publisher's own clock.
 */
public final class PassiveDns implements AutoCloseable {

  public static final Topic DNS = Topic.of("dns");
  private static final System.Logger LOG = System.getLogger("io.sensorfleet.instruments.passivedns");

  private final Path dataDir;
  private final AtomicReference<Optional<PassiveDnsStore>> store = new AtomicReference<>(Optional.empty());
  private final AtomicReference<Optional<String>> storeProblem = new AtomicReference<>(Optional.empty());
  private final AtomicReference<Optional<String>> subscriptionProblem = new AtomicReference<>(Optional.empty());
  private final AtomicReference<Optional<UiServer>> ui = new AtomicReference<>(Optional.empty());
  private final AtomicReference<Optional<PassiveDnsConfig>> applied = new AtomicReference<>(Optional.empty());
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong stored = new AtomicLong();
  private final AtomicLong ignored = new AtomicLong();
  private final InstrumentClient client;
  private final Optional<UiIdentityVerifier> identity;

  private PassiveDns(InstrumentClient.Builder builder, Path dataDir, Optional<UiIdentityVerifier> identity) {
    this.dataDir = dataDir;
    this.identity = identity;
    this.client = builder
        .software("passive-dns/" + version())
        .onConfig(this::configure)
        .onHealthQuery(this::health)
        .onRetention(this::enforceRetention)
        .onEvent(this::onEvent)
        .onError(this::refused)
        .onShutdown(reason -> stop())
        .build();
    openStore();
    // The SDK subscribes again on every new connection until unsubscribe (docs/instrument-sdk.md).
    client.subscribe(DNS).whenComplete((ok, failure) -> subscriptionProblem.set(failure == null ? Optional.empty()
        : Optional.of("subscription to " + DNS + " failed: " + failure.getMessage())));
  }

  /**
   * Starts the Instrument: opens the database in {@code dataDir}, connects in the background and subscribes to
   * {@code dns}; the UI starts with the first accepted configuration.
   *
   * @param builder connection settings (a plain {@link InstrumentClient#builder()} reads them from the environment);
   *     its callbacks are replaced
   */
  public static PassiveDns start(InstrumentClient.Builder builder, Path dataDir) {
    return new PassiveDns(builder, dataDir, Optional.empty());
  }

  /**
   * As {@link #start(InstrumentClient.Builder, Path)}, with a UI that serves only requests Fleet Management signed
   * ({@code identity}: the SDK's check of the UI proxy's identity headers); others get 401.
   */
  public static PassiveDns start(InstrumentClient.Builder builder, Path dataDir, UiIdentityVerifier identity) {
    return new PassiveDns(builder, dataDir, Optional.of(identity));
  }

  public static void main(String[] args) throws InterruptedException, IOException {
    Optional<UiIdentityVerifier> identity = UiIdentityVerifier.fromEnvironment(System.getenv());
    if (identity.isEmpty()) {
      LOG.log(Level.WARNING, "no UI key from the platform (" + UiSignature.KEY_FILE
          + "): the UI does not check who calls; it is meant to run behind Fleet Management");
    }
    Path data = DataDirectory.fromEnvironment(System.getenv());
    try (PassiveDns pdns = identity.map(id -> start(InstrumentClient.builder(), data, id))
        .orElseGet(() -> start(InstrumentClient.builder(), data))) {
      pdns.client.awaitClosed();
    }
  }

  /** The client, for tests. */
  public InstrumentClient client() {
    return client;
  }

  /** The port the UI listens on, once configured. */
  public Optional<Integer> uiPort() {
    return ui.get().map(UiServer::port);
  }

  private synchronized PassiveDnsStore storeOrThrow() throws SQLException {
    Optional<PassiveDnsStore> open = store.get();
    if (open.isPresent()) {
      return open.get();
    }
    openStore();
    return store.get().orElseThrow(() -> new SQLException(storeProblem.get().orElse("the database is closed")));
  }

  private synchronized void openStore() {
    try {
      store.set(Optional.of(PassiveDnsStore.open(dataDir)));
      storeProblem.set(Optional.empty());
    } catch (SQLException e) {
      String why = "cannot open the database in " + dataDir + ": " + e.getMessage();
      if (storeProblem.getAndSet(Optional.of(why)).isEmpty()) {
        LOG.log(Level.ERROR, why);
      }
    }
  }

  private ConfigDecision configure(ConfigUpdate update) {
    return switch (PassiveDnsConfig.parse(update.config())) {
      case PassiveDnsConfig.Parsed.Invalid invalid -> ConfigDecision.reject(invalid.reason());
      case PassiveDnsConfig.Parsed.Valid(PassiveDnsConfig config) -> {
        Optional<UiServer> current = ui.get();
        boolean samePort = current.isPresent()
            && applied.get().map(PassiveDnsConfig::uiPort).orElse(-1) == config.uiPort();
        if (samePort) {
          current.get().maxResults(config.maxResults());
        } else {
          // The new server first: if its port is taken, the previous configuration stays in force.
          try {
            UiServer server = UiServer.start(config.uiPort(), this::storeOrThrow, config.maxResults(),
                identity);
            ui.set(Optional.of(server));
            current.ifPresent(UiServer::close);
            LOG.log(Level.INFO, () -> "UI on 127.0.0.1:" + server.port());
          } catch (IOException e) {
            yield ConfigDecision.reject("cannot listen on 127.0.0.1:" + config.uiPort() + ": " + e.getMessage());
          }
        }
        applied.set(Optional.of(config));
        yield ConfigDecision.accept();
      }
    };
  }

  /**
   * An error frame answering none of our waits. This Instrument only subscribes, so a refusal is about its
   * subscription: one renewed after a reconnection (the SDK sends those itself) that the platform now refuses.
   */
  private void refused(Frame.Error error) {
    if (error.knownCode().equals(Optional.of(ErrorCode.NOT_PERMITTED))) {
      subscriptionProblem.set(Optional.of("the platform refuses the subscription to " + DNS + ": " + error.code()
          + (error.message().isEmpty() ? "" : ": " + error.message())));
    }
  }

  private void onEvent(BusEvent event) {
    if (!event.topic().equals(DNS)) {
      return;
    }
    subscriptionProblem.set(Optional.empty());   // events arrive: the subscription stands
    events.incrementAndGet();
    List<Observation> observations;
    try {
      observations = Observation.fromEvent(Json.read(event.payload()), event.occurredAt());
    } catch (IllegalArgumentException e) {
      ignored.incrementAndGet();
      LOG.log(Level.DEBUG, () -> "ignored a dns event from " + event.from() + ": " + e.getMessage());
      return;
    }
    try {
      PassiveDnsStore db = storeOrThrow();
      for (Observation o : observations) {
        db.record(o);
        stored.incrementAndGet();
      }
    } catch (SQLException e) {
      ignored.incrementAndGet();
      LOG.log(Level.WARNING, "cannot store a dns event", e);
    }
  }

  private RetentionResult enforceRetention(Instant cutoff) {
    long rows;
    try {
      PassiveDnsStore db = storeOrThrow();
      rows = db.deleteLastSeenBefore(cutoff);
      db.compact();   // rewrites the file: freed pages go, and its modification time is now
    } catch (SQLException e) {
      // Sweeping now could delete the database file itself by its age: leave everything.
      return RetentionResult.nothingDeleted("cannot enforce retention on the database: " + e.getMessage());
    }
    RetentionResult files = RetentionSweeper.deleteOlderThan(dataDir, cutoff);
    String notes = "deleted " + rows + " passive-DNS records last seen before " + cutoff
        + (files.notes().isEmpty() ? "" : "; " + files.notes());
    return new RetentionResult(files.deletedFiles(), files.deletedBytes(), files.remainingBytes(), notes);
  }

  private Health health() {
    Optional<Long> rows = Optional.empty();
    Health verdict;
    try {
      rows = Optional.of(storeOrThrow().stats().rows());
      if (applied.get().isEmpty()) {
        verdict = Health.degraded("waiting for a configuration");
      } else if (subscriptionProblem.get().isPresent()) {
        verdict = Health.degraded(subscriptionProblem.get().get());
      } else {
        verdict = Health.healthy(rows.get() + " records");
      }
    } catch (SQLException e) {
      verdict = Health.failed(storeProblem.get().orElse("database error: " + e.getMessage()));
    }
    return verdict.withMetrics(RawJson.of("{\"rows\":" + rows.map(String::valueOf).orElse("null")
        + ",\"events\":" + events.get() + ",\"stored\":" + stored.get() + ",\"ignored\":" + ignored.get() + "}"));
  }

  private synchronized void stop() {
    ui.getAndSet(Optional.empty()).ifPresent(UiServer::close);
    store.getAndSet(Optional.empty()).ifPresent(db -> {
      try {
        db.close();
      } catch (SQLException e) {
        LOG.log(Level.WARNING, "closing the database failed", e);
      }
    });
  }

  private static String version() {
    String v = PassiveDns.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Says bye to the platform, stops the UI and closes the database. */
  @Override
  public void close() {
    client.close();
    stop();
  }
}
