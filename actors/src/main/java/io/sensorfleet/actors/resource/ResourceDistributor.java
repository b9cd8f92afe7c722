package io.sensorfleet.actors.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sensorfleet.actors.bus.PermissionGate;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.actors.instrument.InstrumentJournal;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.audit.AuditEntry;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.permission.Action;
import io.sensorfleet.core.permission.Decision;
import io.sensorfleet.core.protocol.Frame;
import io.sensorfleet.core.protocol.RawJson;
import io.sensorfleet.core.runtime.ContainerFile;
import io.sensorfleet.core.runtime.ContainerRuntime;
import io.sensorfleet.core.runtime.ExecRequest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Turns the resources Instruments ask for into Downloader jobs, and what the Downloader fetched into files in the
 * permitted Instruments' inboxes.
 *
 * <ol>
 *   <li>Every {@code refresh-interval} (and on {@link Refresh}) it reads each connected Instrument's configuration
 *       ({@code resources:}, see {@link ResourceRequest}) and asks the bus whether the policy allows the requester
 *       {@code receive-resource} on that name. Allowed requests become one job per name, sent to the Downloader as
 *       a direct message from {@link PermissionGate#PLATFORM}; refused ones are audited ({@code resource request
 *       refused}) and never fetched for that requester.
 *   <li>The Downloader reports every fetch ({@code fetch-report}, a {@code send} to {@code platform}); each is
 *       audited with hash and size. Reports from any other Instrument are refused and audited.
 *   <li>When a fetched version is one a permitted requester does not have yet, the platform reads the file from
 *       the Downloader's container through the LXD file API, checks its SHA-256 against the report (and against
 *       the request's {@code sha256}, if any), asks the policy again for each target, writes it into the target's
 *       inbox, reads it back and checks the hash, and only then sends the target {@code resource-available}.
 *       Every delivery, and every refusal, is audited with hash and size. The Downloader never sees other
 *       Instruments' storage, and they never see its.
 *   <li>A target that applied a resource may tell the platform ({@code resource-applied} with the old and the
 *       new hash): audited as {@code resource applied}.
 * </ol>
 *
 * <p>What was delivered to whom is kept in memory: after a sensor restart each target gets the current version
 * once more (it checks the hash and ignores what it already runs).
 */
public final class ResourceDistributor extends AbstractBehavior<ResourceDistributor.Command> {

  public static final String AUDIT_FETCHED = "resource fetched";
  public static final String AUDIT_FETCH_REFUSED = "resource fetch refused";
  public static final String AUDIT_FETCH_FAILED = "resource fetch failed";
  public static final String AUDIT_REQUEST_REFUSED = "resource request refused";
  public static final String AUDIT_REFUSED = "resource refused";
  public static final String AUDIT_DELIVERED = "resource delivered";
  public static final String AUDIT_DELIVERY_REFUSED = "resource delivery refused";
  public static final String AUDIT_DELIVERY_FAILED = "resource delivery failed";
  public static final String AUDIT_APPLIED = "resource applied";
  public static final String AUDIT_JOBS = "resource jobs set";
  public static final String AUDIT_REPORT_REFUSED = "resource report refused";
  /** Where the Downloader keeps bodies: the only paths the platform reads from its container. */
  public static final String STORE = "/var/lib/instrument/store/sha256/";
  /** Root-owned directory of the images where files wait on their way into a target's inbox. */
  static final String STAGING = "/var/lib/sensorfleet/staging";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int INSTRUMENT_UID = 1000;  // the `instrument` user of the base images

  public sealed interface Command {}

  /** Read the requests again and resend the jobs now (also done every refresh-interval). */
  public record Refresh() implements Command {}

  /** What each target was given: target → resource name → SHA-256. */
  public record GetDelivered(ActorRef<Map<InstrumentId, Map<String, String>>> replyTo) implements Command {}

  private record Tick() implements Command {}

  private record Evaluated(InstrumentId requester, ResourceRequest request, Decision decision) {}

  private record Wanted(List<Evaluated> evaluated, Map<InstrumentId, List<String>> problems) implements Command {}

  private record RefreshFailed(Throwable cause) implements Command {}

  private record FromBus(PermissionGate.ToPlatform message) implements Command {}

  /** A fetch report with a version the platform may distribute. */
  private record Version(String name, String url, String sha256, long size, String version, String path) {}

  private record Pulled(Version version, List<InstrumentId> targets, byte[] bytes) implements Command {}

  private record PullFailed(Version version, List<InstrumentId> targets, String reason) implements Command {}

  private sealed interface Copy extends Command {
    Version version();

    InstrumentId target();
  }

  private record Copied(Version version, InstrumentId target, String location) implements Copy {}

  private record CopyDenied(Version version, InstrumentId target, String reason) implements Copy {}

  private record CopyFailed(Version version, InstrumentId target, String reason) implements Copy {}

  private record Notified(Copied copied, boolean attached) implements Command {}

  private final ResourceSettings settings;
  private final ActorRef<InstrumentRegistry.Command> registry;
  private final ActorRef<PermissionGate.Command> bus;
  private final ContainerRuntime runtime;
  private final ActorRef<AuditLog.Command> audit;
  private final ActorRef<AuditEntry> noReply;
  /** Allowed requesters per resource name, and the request the job was built from. */
  private Map<String, Set<InstrumentId>> targets = Map.of();
  private Map<String, ResourceRequest> jobs = Map.of();
  private final Map<InstrumentId, Map<String, String>> delivered = new HashMap<>();
  private final Set<String> inFlight = new HashSet<>();
  private final Set<String> audited = new HashSet<>();
  private boolean refreshing;

  /**
   * Spawned by the guardian (and by tests) next to the bus; it registers itself as the bus's platform inbox.
   *
   * @param registry answers the Instruments' statuses and configurations
   * @param bus      checks the policy, carries jobs and {@code resource-available}, brings the reports
   * @param runtime  the LXD file API: read from the Downloader's container, write into targets'
   */
  public static Behavior<Command> create(ResourceSettings settings, ActorRef<InstrumentRegistry.Command> registry,
                                         ActorRef<PermissionGate.Command> bus, ContainerRuntime runtime,
                                         ActorRef<AuditLog.Command> audit) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), settings.refreshInterval());
      ctx.getSelf().tell(new Tick());
      return new ResourceDistributor(ctx, settings, registry, bus, runtime, audit);
    }));
  }

  private ResourceDistributor(ActorContext<Command> ctx, ResourceSettings settings,
                              ActorRef<InstrumentRegistry.Command> registry, ActorRef<PermissionGate.Command> bus,
                              ContainerRuntime runtime, ActorRef<AuditLog.Command> audit) {
    super(ctx);
    this.settings = settings;
    this.registry = registry;
    this.bus = bus;
    this.runtime = runtime;
    this.audit = audit;
    this.noReply = ctx.getSystem().ignoreRef();
    bus.tell(new PermissionGate.SetPlatformInbox(ctx.messageAdapter(PermissionGate.ToPlatform.class, FromBus::new)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Tick.class, t -> refresh())
        .onMessage(Refresh.class, r -> refresh())
        .onMessage(Wanted.class, this::onWanted)
        .onMessage(RefreshFailed.class, this::onRefreshFailed)
        .onMessage(FromBus.class, this::onFromBus)
        .onMessage(Pulled.class, this::onPulled)
        .onMessage(PullFailed.class, this::onPullFailed)
        .onMessage(Copied.class, this::onCopied)
        .onMessage(CopyDenied.class, this::onCopyDenied)
        .onMessage(CopyFailed.class, this::onCopyFailed)
        .onMessage(Notified.class, this::onNotified)
        .onMessage(GetDelivered.class, this::onGetDelivered)
        .build();
  }

  // ---- requests → jobs

  private Behavior<Command> refresh() {
    if (refreshing) {
      return this;
    }
    refreshing = true;
    var scheduler = getContext().getSystem().scheduler();
    var timeout = settings.askTimeout();
    CompletionStage<Wanted> wanted = AskPattern.<InstrumentRegistry.Command, List<Instrument.Status>>ask(
            registry, InstrumentRegistry.GetInstruments::new, timeout, scheduler)
        .thenCompose(statuses -> {
          List<CompletableFuture<Map.Entry<InstrumentId, ResourceRequest.Parsed>>> configs = new ArrayList<>();
          for (Instrument.Status status : statuses) {
            if (!status.connected() || status.id().equals(settings.downloader())) {
              continue;
            }
            configs.add(AskPattern.<InstrumentRegistry.Command, List<InstrumentJournal.ConfigVersion>>askWithStatus(
                    registry, r -> new InstrumentRegistry.GetConfigHistory(status.id(), r), timeout, scheduler)
                .thenApply(history -> Map.entry(status.id(), ResourceRequest.parseAll(current(history),
                    settings.defaults())))
                .toCompletableFuture());
          }
          return CompletableFuture.allOf(configs.toArray(CompletableFuture[]::new)).thenCompose(done -> {
            Map<InstrumentId, List<String>> problems = new LinkedHashMap<>();
            List<CompletableFuture<Evaluated>> checks = new ArrayList<>();
            for (var future : configs) {
              var entry = future.join();
              if (!entry.getValue().problems().isEmpty()) {
                problems.put(entry.getKey(), entry.getValue().problems());
              }
              for (ResourceRequest request : entry.getValue().requests()) {
                checks.add(AskPattern.<PermissionGate.Command, Decision>ask(bus,
                        r -> new PermissionGate.Check(entry.getKey(), request.name(), Action.RECEIVE_RESOURCE, r),
                        timeout, scheduler)
                    .thenApply(decision -> new Evaluated(entry.getKey(), request, decision)).toCompletableFuture());
              }
            }
            return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
                .thenApply(all -> new Wanted(checks.stream().map(CompletableFuture::join).toList(), problems));
          });
        });
    getContext().pipeToSelf(wanted, (ok, error) -> ok != null ? ok : new RefreshFailed(error));
    return this;
  }

  /** The configuration the Instrument runs: the newest it accepted, else the newest set. */
  private static String current(List<InstrumentJournal.ConfigVersion> history) {
    return history.reversed().stream().filter(c -> c.state() == InstrumentJournal.ConfigState.ACCEPTED)
        .findFirst().or(() -> history.isEmpty() ? Optional.empty() : Optional.of(history.getLast()))
        .map(InstrumentJournal.ConfigVersion::json).orElse("{}");
  }

  private Behavior<Command> onRefreshFailed(RefreshFailed failed) {
    refreshing = false;
    getContext().getLog().warn("resources: cannot read the Instruments' requests: {}", failed.cause().toString());
    return this;
  }

  private Behavior<Command> onWanted(Wanted wanted) {
    refreshing = false;
    wanted.problems().forEach((requester, problems) -> problems.forEach(problem -> auditOnce(
        "problem|" + requester + "|" + problem, AuditRequest.of(Principal.platform(), AUDIT_REQUEST_REFUSED,
            AuditKind.RESOURCE, Outcome.FAILED, requester + " asks for an invalid resource: " + problem)
            .aboutInstrument(requester))));
    Map<String, List<Evaluated>> allowed = new LinkedHashMap<>();
    for (Evaluated e : wanted.evaluated()) {
      if (e.decision().denied()) {
        auditOnce("denied|" + e.requester() + "|" + e.request().name(), AuditRequest.of(Principal.platform(),
                AUDIT_REQUEST_REFUSED, AuditKind.RESOURCE, Outcome.DENIED, e.requester() + " may not receive "
                    + e.request().name() + " (" + e.request().url() + "): " + e.decision().reason())
            .withTarget(e.request().name()).aboutInstrument(e.requester()));
      } else {
        audited.remove("denied|" + e.requester() + "|" + e.request().name());
        allowed.computeIfAbsent(e.request().name(), k -> new ArrayList<>()).add(e);
      }
    }
    Map<String, ResourceRequest> nextJobs = new LinkedHashMap<>();
    Map<String, Set<InstrumentId>> nextTargets = new LinkedHashMap<>();
    for (var entry : allowed.entrySet()) {
      List<Evaluated> asks = entry.getValue();
      ResourceRequest first = asks.getFirst().request();
      if (asks.stream().anyMatch(e -> !e.request().sameDownload(first))) {
        auditOnce("conflict|" + entry.getKey(), AuditRequest.of(Principal.platform(), AUDIT_REQUEST_REFUSED,
            AuditKind.RESOURCE, Outcome.DENIED, "resource " + entry.getKey() + " is asked for from different URLs or"
                + " hashes by " + asks.stream().map(e -> e.requester().value()).collect(Collectors.joining(", "))
                + ": not fetched until they agree").withTarget(entry.getKey()));
        continue;
      }
      // One download serves every requester: the most frequent schedule, the smallest limits.
      ResourceRequest job = new ResourceRequest(first.name(), first.url(),
          asks.stream().map(e -> e.request().every()).min(Comparator.naturalOrder()).orElseThrow(), first.sha256(),
          asks.stream().mapToLong(e -> e.request().maxBytes()).min().orElseThrow(),
          asks.stream().map(e -> e.request().timeout()).min(Comparator.naturalOrder()).orElseThrow());
      nextJobs.put(entry.getKey(), job);
      nextTargets.put(entry.getKey(), asks.stream().map(Evaluated::requester)
          .collect(Collectors.toCollection(TreeSet::new)));
    }
    if (!nextJobs.equals(jobs) || !nextTargets.equals(targets)) {
      audit.tell(new AuditLog.Record(AuditRequest.of(Principal.platform(), AUDIT_JOBS, AuditKind.RESOURCE,
          Outcome.OK, nextJobs.isEmpty() ? "no resources to fetch" : nextJobs.values().stream()
              .map(j -> j.name() + " from " + j.url() + " every " + j.every().toSeconds() + " s for "
                  + nextTargets.get(j.name()))
              .collect(Collectors.joining("; "))).aboutInstrument(settings.downloader()), noReply));
    }
    jobs = nextJobs;
    targets = nextTargets;
    sendJobs();
    return this;
  }

  private void sendJobs() {
    ObjectNode message = JSON.createObjectNode().put("type", "jobs");
    ArrayNode list = message.putArray("jobs");
    jobs.values().forEach(j -> {
      ObjectNode job = list.addObject().put("name", j.name()).put("url", j.url().toString())
          .put("every_seconds", Math.max(1, j.every().toSeconds())).put("max_bytes", j.maxBytes())
          .put("timeout_seconds", Math.max(1, j.timeout().toSeconds()));
      j.sha256().ifPresentOrElse(s -> job.put("sha256", s), () -> job.putNull("sha256"));
      targets.get(j.name()).forEach(t -> job.withArray("requesters").add(t.value()));
    });
    bus.tell(new PermissionGate.ToInstrument(settings.downloader(),
        new Frame.Deliver(PermissionGate.PLATFORM, RawJson.of(message.toString())), getContext().getSystem()
            .ignoreRef()));
  }

  // ---- reports

  private Behavior<Command> onFromBus(FromBus in) {
    InstrumentId from = in.message().from();
    JsonNode body;
    try {
      body = JSON.readTree(in.message().payload().toByteArray());
    } catch (Exception e) {
      return this;  // RawJson is valid JSON; nothing else can go wrong here
    }
    switch (body.path("type").asText()) {
      case "fetch-report" -> onFetchReport(from, body);
      case "resource-applied" -> onApplied(from, body);
      default -> getContext().getLog().info("resources: ignored a message of type '{}' from {}",
          body.path("type").asText(), from);
    }
    return this;
  }

  private void onFetchReport(InstrumentId from, JsonNode report) {
    String name = report.path("name").asText();
    if (!from.equals(settings.downloader())) {
      auditOnce("report|" + from, AuditRequest.of(Principal.instrument(from), AUDIT_REPORT_REFUSED,
          AuditKind.RESOURCE, Outcome.DENIED, from + " reported a fetch of " + name + ", but only "
              + settings.downloader() + " fetches: ignored").aboutInstrument(from));
      return;
    }
    String outcome = report.path("outcome").asText();
    String url = report.path("url").asText();
    String sha = report.path("sha256").asText("");
    long size = report.path("size").asLong(-1);
    String where = name + " from " + url;
    switch (outcome) {
      case "refused" -> {
        record(AUDIT_FETCH_REFUSED, Outcome.DENIED, name, where + ": " + report.path("reason").asText());
        return;
      }
      case "failed" -> {
        record(AUDIT_FETCH_FAILED, Outcome.FAILED, name, where + ": " + report.path("reason").asText());
        return;
      }
      case "new", "unchanged", "not-modified" -> {
        if (sha.isEmpty()) {
          record(AUDIT_FETCHED, Outcome.OK, name, where + ": " + outcome + " (nothing stored yet)");
          return;
        }
        record(AUDIT_FETCHED, Outcome.OK, name, where + ": " + outcome + ", sha256 " + sha + ", " + size
            + " bytes, version " + report.path("version").asText() + " (" + report.path("attempts").asInt()
            + " attempts)");
      }
      default -> {
        return;
      }
    }
    ResourceRequest job = jobs.get(name);
    if (job == null) {
      return;  // nobody asks for it (any more)
    }
    if (job.sha256().isPresent() && !job.sha256().get().equals(sha)) {
      record(AUDIT_REFUSED, Outcome.DENIED, name, "hash mismatch: " + name + " hashes to " + sha + ", the request"
          + " expects " + job.sha256().get() + ": delivered to nobody");
      return;
    }
    Version version = new Version(name, url, sha, size, report.path("version").asText(), report.path("path")
        .asText());
    try {
      new Frame.ResourceAvailable(Optional.empty(), name, version.version(), sha, Math.max(0, size),
          settings.inbox() + "/" + name + "-" + version.version());
    } catch (IllegalArgumentException e) {
      record(AUDIT_REFUSED, Outcome.DENIED, name, "the Downloader's report is not usable: " + e.getMessage());
      return;
    }
    if (!version.path().equals(STORE + sha)) {
      record(AUDIT_REFUSED, Outcome.DENIED, name, "the Downloader names " + version.path() + ", not " + STORE + sha);
      return;
    }
    List<InstrumentId> due = targets.getOrDefault(name, Set.of()).stream()
        .filter(t -> !sha.equals(delivered.getOrDefault(t, Map.of()).get(name)))
        .filter(t -> !inFlight.contains(t + "|" + name + "|" + sha))
        .toList();
    if (due.isEmpty()) {
      return;  // everyone has this version: nothing to redistribute
    }
    due.forEach(t -> inFlight.add(t + "|" + name + "|" + sha));
    getContext().pipeToSelf(runtime.pullFile(settings.downloader().containerName(), version.path()),
        (file, error) -> file != null ? new Pulled(version, due, file.content())
            : new PullFailed(version, due, error.getMessage()));
  }

  private void onApplied(InstrumentId from, JsonNode body) {
    String name = body.path("name").asText();
    String now = body.path("sha256").asText();
    String before = body.path("previous_sha256").asText("none");
    boolean ours = now.equals(delivered.getOrDefault(from, Map.of()).get(name));
    audit.tell(new AuditLog.Record(AuditRequest.of(Principal.instrument(from), AUDIT_APPLIED, AuditKind.RESOURCE,
            ours ? Outcome.OK : Outcome.FAILED, from + " runs " + name + " sha256 " + now + " (was " + before + ")"
                + (ours ? "" : ": not the version the platform delivered to it"))
        .withTarget(name).aboutInstrument(from), noReply));
  }

  // ---- delivery

  private Behavior<Command> onPullFailed(PullFailed failed) {
    failed.targets().forEach(t -> inFlight.remove(t + "|" + failed.version().name() + "|"
        + failed.version().sha256()));
    record(AUDIT_DELIVERY_FAILED, Outcome.FAILED, failed.version().name(), "cannot read "
        + failed.version().path() + " from " + settings.downloader() + ": " + failed.reason());
    return this;
  }

  private Behavior<Command> onPulled(Pulled pulled) {
    Version v = pulled.version();
    String actual = sha256(pulled.bytes());
    if (!actual.equals(v.sha256()) || pulled.bytes().length != v.size()) {
      pulled.targets().forEach(t -> inFlight.remove(t + "|" + v.name() + "|" + v.sha256()));
      record(AUDIT_REFUSED, Outcome.DENIED, v.name(), "hash mismatch: the Downloader's " + v.path() + " hashes to "
          + actual + " (" + pulled.bytes().length + " bytes), it announced " + v.sha256() + " (" + v.size()
          + " bytes): delivered to nobody");
      return this;
    }
    for (InstrumentId target : pulled.targets()) {
      getContext().pipeToSelf(copy(v, target, pulled.bytes()), (result, error) -> result != null ? result
          : new CopyFailed(v, target, error.getMessage()));
    }
    return this;
  }

  /** Policy check, inbox, write, read back, hash: every step outside the actor, one result message. */
  private CompletionStage<Copy> copy(Version v, InstrumentId target, byte[] bytes) {
    var scheduler = getContext().getSystem().scheduler();
    String container = target.containerName();
    String location = settings.inbox() + "/" + v.name() + "-" + v.version();
    return AskPattern.<PermissionGate.Command, Decision>ask(bus,
            r -> new PermissionGate.Check(target, v.name(), Action.RECEIVE_RESOURCE, r),
            settings.askTimeout(), scheduler)
        .thenCompose(decision -> {
          if (decision.denied()) {
            return CompletableFuture.completedFuture(new CopyDenied(v, target, decision.reason()));
          }
          // LXD cannot write into the storage's FUSE mount (403). The file goes to a root-owned staging directory
          // of the image (/var/lib/sensorfleet, where the Instrument can plant no symbolic link for the push to
          // follow); the Instrument's own user copies it into its inbox under a dot name and renames it, so it
          // appears whole; root removes the staged copy.
          String staged = STAGING + "/" + v.name() + "-" + v.sha256().substring(0, 16);
          String part = settings.inbox() + "/." + v.name() + "-" + v.version() + ".part";
          return runtime.exec(container, ExecRequest.of("sh", "-c",
                  "test ! -L \"$1\" && mkdir -p -m 0755 \"$1\" && test \"$(stat -c %u \"$1\")\" = 0", "sh",
                  STAGING))
              .thenCompose(prepared -> {
                if (prepared.exitCode() != 0) {
                  throw new IllegalStateException("cannot prepare " + STAGING + ": " + prepared.stderr());
                }
                return runtime.pushFile(container, staged,
                    new ContainerFile(bytes, INSTRUMENT_UID, INSTRUMENT_UID, 0640));
              })
              .thenCompose(pushed -> runtime.exec(container, ExecRequest.of("sh", "-c",
                      "mkdir -p \"$1\" && cp \"$2\" \"$3\" && mv -f \"$3\" \"$4\"", "sh", settings.inbox(),
                      staged, part, location)
                  .asUser(INSTRUMENT_UID, INSTRUMENT_UID)))
              .thenCompose(copied -> runtime.exec(container, "rm", "-f", staged).thenApply(removed -> copied))
              .thenCompose(copied -> {
                if (copied.exitCode() != 0) {
                  throw new IllegalStateException("cannot copy it into " + settings.inbox() + ": " + copied.stderr());
                }
                return runtime.pullFile(container, location);
              })
              .thenApply(back -> {
                String hash = sha256(back.content());
                return hash.equals(v.sha256()) ? new Copied(v, target, location)
                    : new CopyFailed(v, target, "the copy in " + target + " hashes to " + hash);
              });
        });
  }

  private Behavior<Command> onCopyDenied(CopyDenied denied) {
    settle(denied);
    audit.tell(new AuditLog.Record(AuditRequest.of(Principal.platform(), AUDIT_DELIVERY_REFUSED, AuditKind.RESOURCE,
        Outcome.DENIED, denied.version().name() + " sha256 " + denied.version().sha256() + " not delivered to "
            + denied.target() + ": " + denied.reason()).withTarget(denied.version().name())
        .aboutInstrument(denied.target()), noReply));
    return this;
  }

  private Behavior<Command> onCopyFailed(CopyFailed failed) {
    settle(failed);
    getContext().getLog().info("resources: {} not delivered to {}: {}", failed.version().name(), failed.target(),
        failed.reason());
    audit.tell(new AuditLog.Record(AuditRequest.of(Principal.platform(), AUDIT_DELIVERY_FAILED, AuditKind.RESOURCE,
        Outcome.FAILED, failed.version().name() + " sha256 " + failed.version().sha256() + " not delivered to "
            + failed.target() + ": " + failed.reason()).withTarget(failed.version().name())
        .aboutInstrument(failed.target()), noReply));
    return this;
  }

  private Behavior<Command> onCopied(Copied copied) {
    Version v = copied.version();
    getContext().ask(Boolean.class, bus, settings.askTimeout(), r -> new PermissionGate.ToInstrument(copied.target(),
            new Frame.ResourceAvailable(Optional.empty(), v.name(), v.version(), v.sha256(), v.size(),
                copied.location()), r),
        (attached, error) -> new Notified(copied, attached != null && attached));
    return this;
  }

  private Behavior<Command> onNotified(Notified notified) {
    Copied c = notified.copied();
    Version v = c.version();
    settle(c);
    if (!notified.attached()) {
      audit.tell(new AuditLog.Record(AuditRequest.of(Principal.platform(), AUDIT_DELIVERY_FAILED,
          AuditKind.RESOURCE, Outcome.FAILED, v.name() + " sha256 " + v.sha256() + " copied to " + c.target()
              + " but it is not connected: offered again after the next fetch").withTarget(v.name())
          .aboutInstrument(c.target()), noReply));
      return this;
    }
    String previous = delivered.computeIfAbsent(c.target(), k -> new HashMap<>()).put(v.name(), v.sha256());
    audit.tell(new AuditLog.Record(AuditRequest.of(Principal.platform(), AUDIT_DELIVERED, AuditKind.RESOURCE,
        Outcome.OK, v.name() + " version " + v.version() + " sha256 " + v.sha256() + ", " + v.size() + " bytes, to "
            + c.target() + " at " + c.location() + " (previous sha256 " + (previous == null ? "none" : previous)
            + ")").withTarget(v.name()).aboutInstrument(c.target()), noReply));
    return this;
  }

  private void settle(Copy copy) {
    inFlight.remove(copy.target() + "|" + copy.version().name() + "|" + copy.version().sha256());
  }

  private Behavior<Command> onGetDelivered(GetDelivered query) {
    Map<InstrumentId, Map<String, String>> copy = new HashMap<>();
    delivered.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
    query.replyTo().tell(Map.copyOf(copy));
    return this;
  }

  // ---- audit

  private void record(String action, Outcome outcome, String name, String detail) {
    if (outcome != Outcome.OK) {
      getContext().getLog().info("resources: {}: {}", action, detail);
    }
    audit.tell(new AuditLog.Record(AuditRequest.of(Principal.platform(), action, AuditKind.RESOURCE, outcome, detail)
        .withTarget(name).aboutInstrument(settings.downloader()), noReply));
  }

  /** Audits a standing condition once (until it is cleared from {@link #audited}). */
  private void auditOnce(String key, AuditRequest request) {
    if (audited.add(key)) {
      audit.tell(new AuditLog.Record(request, noReply));
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
