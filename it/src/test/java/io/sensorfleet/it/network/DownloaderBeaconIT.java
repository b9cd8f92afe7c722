package io.sensorfleet.it.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.actors.bus.PolicyStore;
import io.sensorfleet.actors.instrument.HealthTracker;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.actors.resource.ResourceDistributor;
import io.sensorfleet.audit.AuditLog;
import io.sensorfleet.audit.AuditRequest;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.ManifestParser;
import io.sensorfleet.core.permission.Action;
import io.sensorfleet.core.permission.Grant;
import io.sensorfleet.core.runtime.ExecRequest;
import io.sensorfleet.core.runtime.ExecResult;
import io.sensorfleet.it.support.Stages;
import io.sensorfleet.it.support.TestSensor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Downloader and the Beacon on real containers, with a real HTTP "vendor portal" (scripts/portal/
 * Portal.java) in a network namespace on a test bridge. Only the Downloader and one bridged beacon (the positive
 * control) are on that bridge; the beacon that receives its binary has no network at all. The platform's
 * {@link ResourceDistributor} turns the beacon's {@code resources:} into Downloader jobs, copies each new version
 * into the beacon's inbox and tells it; an Instrument without the receive-resource grant asks for the same resource
 * and never gets it.
 *
 * <p>The tests run in order on one sensor: v1 is delivered, an unchanged portal delivers nothing, v2 is delivered
 * and the beacon restarts on it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DownloaderBeaconIT {

  static final String RUN = "dlb" + Stages.randomId();
  static final Duration TIMEOUT = Duration.ofSeconds(120);
  static final int PORT = 8080;
  static final String V1 = "#!/bin/sh\n# portal beacon v1\nVERSION=portal-1\ninterval=$1; shift\n"
      + "while :; do for t in \"$@\"; do h=${t%:*}; p=${t##*:};\n"
      + "if nc -w 2 \"$h\" \"$p\" -e /bin/true </dev/null >/dev/null 2>&1; then r=reached; else r=blocked; fi\n"
      + "echo \"beacon $VERSION attempt $t $r\"; done; sleep \"$interval\"; done\n";
  static final String V2 = V1.replace("portal-1", "portal-2");
  static final String RULES = "*.evil.example\n";

  static NetTestKit kit;
  static TestSensor.Run run;
  static TestSensor sensor;
  static Process portal;
  static Path portalDir;
  static String portalAddress;
  static InstrumentId downloader;
  static InstrumentId beacon;
  static InstrumentId nosy;
  static InstrumentId bridgedBeacon;
  static final List<AuditRequest> audits = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    kit = NetTestKit.start();
    kit.managementSide();
    String bridge = kit.bridge("eg");
    String portalNs = kit.memberOf(bridge, "pt", kit.address(1, 100) + "/24");
    portalAddress = kit.address(1, 100);
    portalDir = Files.createTempDirectory("sf-portal");
    Files.writeString(portalDir.resolve("beacon.sh"), V1);
    Files.writeString(portalDir.resolve("rules.txt"), RULES);
    Path source = Path.of(System.getProperty("sensorfleet.root", "..")).toAbsolutePath().normalize()
        .resolve("scripts/portal/Portal.java");
    // nsenter --net, not `ip netns exec`: that would give the portal a private copy of every mount on the host
    // (other runs' Instrument storage among them) for the whole class, and their close would be refused as in use.
    portal = new ProcessBuilder("nsenter", "--net=/run/netns/" + portalNs,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), source.toString(), portalDir.toString(),
        Integer.toString(PORT)).redirectErrorStream(true).start();
    var out = new BufferedReader(new InputStreamReader(portal.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("listening", out.readLine(), "the portal did not start");

    run = TestSensor.Run.create(RUN, List.of("downloader", "beacon"));
    downloader = run.instrument("downloader");
    beacon = run.instrument("beacon");
    nosy = run.instrument("nosy");
    bridgedBeacon = run.instrument("bbeacon");
    for (InstrumentId other : List.of(nosy, bridgedBeacon)) {
      Path dir = Files.createDirectories(run.programs().resolve(other.value()));
      Files.copy(run.programs().resolve(beacon.value()).resolve("beacon.jar"), dir.resolve("beacon.jar"));
    }
    sensor = TestSensor.start(run, Map.of(
        "sensor.bridges", List.of(bridge),
        "sensor.network.nft-table", kit.table(),
        "sensor.resources.downloader", downloader.value(),
        "sensor.resources.refresh-interval", "2s"));

    install(downloaderManifest(bridge));
    install(beaconManifest(beacon, "{mode: none}", "lo", resources()));
    install(beaconManifest(nosy, "{mode: none}", "lo",
        "    - {name: beacon-bin, url: 'http://" + portalAddress + ":" + PORT + "/files/beacon.sh', every: 2s}\n"));
    // Bridged segments have no DHCP: the manifests give the addresses, the platform sets them at every start.
    install(beaconManifest(bridgedBeacon, "{mode: bridged, bridge: " + bridge + ", address: " + kit.address(1, 3)
        + "/24}", "eth0", ""));
    for (InstrumentId id : List.of(beacon, nosy, downloader, bridgedBeacon)) {
      Instrument.Status started = sensor.ask(r -> new InstrumentRegistry.Start(id, Principal.user("it"), r));
      assertTrue(started.connected(), id + " said hello");
    }
    // Only now the operator grants the beacon its binary and the other resources it asks for (nosy gets nothing):
    // no job exists before the Downloader runs, so the one-hour jobs are fetched with a way out.
    for (String name : List.of("beacon-bin", "signed-rules", "huge", "slow")) {
      grant(new Grant(beacon, Action.RECEIVE_RESOURCE, name));
    }
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      if (sensor != null) {
        sensor.close();
      }
    } finally {
      try {
        if (run != null) {
          run.close();
        }
      } finally {
        if (portal != null) {
          portal.destroyForcibly();
        }
        if (kit != null) {
          kit.close();
        }
      }
    }
  }

  static String resources() throws Exception {
    String base = "http://" + portalAddress + ":" + PORT;
    return "    - {name: beacon-bin, url: '" + base + "/files/beacon.sh', every: 2s, max-size: 64KiB, timeout: 5s}\n"
        + "    - {name: signed-rules, url: '" + base + "/files/rules.txt', every: 1h, sha256: "
        + sha256("a different ruleset\n") + "}\n"
        + "    - {name: huge, url: '" + base + "/big', every: 1h, max-size: 1KiB}\n"
        + "    - {name: slow, url: '" + base + "/slow', every: 1h, timeout: 2s}\n";
  }

  static String downloaderManifest(String bridge) throws Exception {
    Path root = Path.of(System.getProperty("sensorfleet.root", "..")).toAbsolutePath().normalize();
    return Files.readString(root.resolve("conf/instruments/downloader.yaml"))
        .replaceFirst("(?m)^id: downloader$", "id: " + downloader)
        .replace("bridge: br-egress, address: 10.254.0.2/24, gateway: 10.254.0.1",
            "bridge: " + bridge + ", address: " + kit.address(1, 2) + "/24")
        .replace("interval: 10s, timeout: 3s", "interval: 2s, timeout: 1500ms")
        .replace("persistent: 256MiB", "persistent: 32MiB")
        .replace("backoff_ms: 1000", "backoff_ms: 200");
  }

  static String beaconManifest(InstrumentId id, String network, String iface, String resources) {
    return "id: " + id + "\nimage: sensorfleet/jvm\n"
        + "command: [java, -XX:TieredStopAtLevel=1, -XX:+UseSerialGC, -jar, /opt/instrument/beacon.jar]\n"
        + "network: " + network + "\nstorage: {persistent: 16MiB, transient: 8MiB}\n"
        + "health: {interval: 2s, timeout: 1500ms, failures-before-restart: 10}\n"
        + "limits: {cpus: 1, memory: 192MiB, processes: 64}\n"
        + "config:\n  interface: " + iface + "\n  targets: ['" + portalAddress + ":" + PORT + "']\n"
        + "  interval_seconds: 1\n  heartbeat_seconds: 20\n"
        + (resources.isEmpty() ? "" : "  resources:\n" + resources);
  }

  static void install(String yaml) throws Exception {
    var manifest = ManifestParser.parseOrThrow(yaml);
    sensor.ask(r -> new InstrumentRegistry.Install(manifest, Principal.user("it"), r));
  }

  static void grant(Grant grant) throws Exception {
    sensor.<PolicyStore.Command, PolicyStore.State>askWithStatus(sensor.policy(),
        r -> new PolicyStore.AddGrant(grant, Principal.user("it"), r));
  }

  static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** The first audit record (seen so far or arriving within the timeout) that {@code matches}. */
  static AuditRequest awaitAudit(String what, Predicate<AuditRequest> matches) {
    for (AuditRequest seen : audits) {
      if (matches.test(seen)) {
        return seen;
      }
    }
    try {
      var found = sensor.audits().fishForMessage(TIMEOUT, what, message -> {
        if (message instanceof AuditLog.Record record) {
          audits.add(record.request());
          if (matches.test(record.request())) {
            return FishingOutcomes.complete();
          }
        }
        return FishingOutcomes.continueAndIgnore();
      });
      return ((AuditLog.Record) found.getLast()).request();
    } catch (AssertionError e) {
      throw new AssertionError("no audit record: " + what + "; the resource records were:\n" + String.join("\n",
          audits.stream().filter(r -> r.kind() == io.sensorfleet.audit.AuditKind.RESOURCE)
              .map(r -> r.outcome() + " " + r.action() + ": " + r.detail()).toList()), e);
    }
  }

  static Predicate<AuditRequest> action(String action, String... parts) {
    return r -> r.action().equals(action) && List.of(parts).stream().allMatch(p -> r.detail().contains(p));
  }

  static HealthTracker.Check awaitHealth(InstrumentId id, Predicate<HealthTracker.Check> matches) {
    return Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
        .until(() -> sensor.status(id).health().last(), c -> c.isPresent() && matches.test(c.get()))
        .orElseThrow();
  }

  static ExecResult exec(InstrumentId id, String script) {
    var lxd = kit.lxd;
    return Stages.await(lxd.exec(id.containerName(), ExecRequest.of("sh", "-c", script).asUser(1000, 1000)),
        TIMEOUT);
  }

  @Test
  @Order(1)
  void the_scheduled_download_delivers_v1_into_the_permitted_beacons_inbox_and_audits_both() throws Exception {
    String v1 = sha256(V1);
    awaitAudit("v1 fetched", action(ResourceDistributor.AUDIT_FETCHED, "beacon-bin", "new", v1));
    AuditRequest delivered = awaitAudit("v1 delivered", action(ResourceDistributor.AUDIT_DELIVERED, v1,
        "to " + beacon + " "));
    assertEquals(Outcome.OK, delivered.outcome());
    assertTrue(delivered.detail().contains(V1.length() + " bytes"), delivered.detail());
    awaitAudit("v1 applied", action(ResourceDistributor.AUDIT_APPLIED, "sha256 " + v1));
    String running = exec(beacon, "sha256sum /var/lib/instrument/beacon/current").stdout();
    assertTrue(running.startsWith(v1), "the beacon runs v1: " + running);
    awaitHealth(beacon, c -> c.detail().contains("beacon portal-1 attempt"));
  }

  @Test
  @Order(2)
  void an_unchanged_portal_is_asked_conditionally_and_nothing_is_redistributed() throws Exception {
    String v1 = sha256(V1);
    // Two more scheduled fetches, both answered 304 by the portal.
    Awaitility.await().atMost(TIMEOUT).until(() -> Files.readAllLines(portalDir.resolve("requests.log")).stream()
        .filter(l -> l.startsWith("/files/beacon.sh 304 if-none-match=\"" + v1 + "\"")).count() >= 2);
    awaitAudit("not modified", action(ResourceDistributor.AUDIT_FETCHED, "beacon-bin", "not-modified", v1));
    long deliveries = audits.stream().filter(action(ResourceDistributor.AUDIT_DELIVERED, "beacon-bin")).count();
    assertEquals(1, deliveries, "v1 was delivered once");
  }

  @Test
  @Order(3)
  void a_new_version_reaches_the_permitted_beacon_only_and_it_restarts_on_it() throws Exception {
    String v1 = sha256(V1);
    String v2 = sha256(V2);
    Files.writeString(portalDir.resolve("beacon.sh"), V2);
    awaitAudit("v2 delivered", action(ResourceDistributor.AUDIT_DELIVERED, v2, "to " + beacon + " ",
        "previous sha256 " + v1));
    AuditRequest applied = awaitAudit("v2 applied", action(ResourceDistributor.AUDIT_APPLIED, "sha256 " + v2,
        "(was " + v1 + ")"));
    assertEquals(Outcome.OK, applied.outcome());
    awaitHealth(beacon, c -> c.detail().contains("beacon portal-2 attempt"));
    // The Instrument without the grant asked for the same resource: refused, audited, nothing in its inbox.
    AuditRequest refused = audits.stream().filter(action(ResourceDistributor.AUDIT_REQUEST_REFUSED,
        nosy + " may not receive beacon-bin")).findFirst().orElseThrow();
    assertEquals(Outcome.DENIED, refused.outcome());
    assertNotEquals(0, exec(nosy, "ls /var/lib/instrument/inbox").exitCode(), "nosy has an inbox");
    assertTrue(audits.stream().noneMatch(action(ResourceDistributor.AUDIT_DELIVERED, "to " + nosy + " ")));
  }

  @Test
  @Order(4)
  void content_with_another_hash_than_requested_is_refused_and_audited() {
    AuditRequest refused = awaitAudit("hash mismatch", action(ResourceDistributor.AUDIT_FETCH_REFUSED,
        "signed-rules", "hash mismatch"));
    assertEquals(Outcome.DENIED, refused.outcome());
    assertNotEquals(0, exec(beacon, "ls /var/lib/instrument/inbox/signed-rules*").exitCode());
  }

  @Test
  @Order(5)
  void an_oversized_or_stalled_download_is_cut_off_and_audited() {
    assertTrue(awaitAudit("too large", action(ResourceDistributor.AUDIT_FETCH_REFUSED, "huge", "too large: cut off"))
        .outcome() == Outcome.DENIED);
    awaitAudit("slow", action(ResourceDistributor.AUDIT_FETCH_REFUSED, "slow", "cut off after 2000 ms"));
  }

  @Test
  @Order(6)
  void an_instrument_without_egress_cannot_fetch_anything_itself() {
    assertEquals("lo\n", exec(beacon, "ls /sys/class/net").stdout());
    String get = "printf 'GET /files/rules.txt HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + portalAddress + " " + PORT;
    ExecResult fromBeacon = exec(beacon, get);
    assertNotEquals(0, fromBeacon.exitCode(), "the beacon fetched from the portal itself: " + fromBeacon);
    assertFalse(fromBeacon.stdout().contains("200"), fromBeacon.stdout());
    // The same request from the Downloader gets the file: the portal is there.
    ExecResult fromDownloader = exec(downloader, get);
    assertTrue(fromDownloader.stdout().contains(RULES.strip()), fromDownloader.toString());
  }

  @Test
  @Order(7)
  void the_beacon_finds_no_way_out_without_network_while_the_bridged_one_reaches_the_portal() {
    String target = portalAddress + ":" + PORT;
    HealthTracker.Check contained = awaitHealth(beacon, c -> c.detail().contains("attempt " + target + " "));
    assertTrue(contained.detail().contains("attempt " + target + " blocked"), contained.detail());
    HealthTracker.Check control = awaitHealth(bridgedBeacon, c -> c.detail().contains("attempt " + target
        + " reached"));
    assertFalse(control.detail().contains("blocked"), control.detail());
  }

  @Test
  @Order(8)
  void no_instrument_can_be_installed_as_the_platform() {
    String yaml = beaconManifest(InstrumentId.of("platform"), "{mode: none}", "lo", "");
    var refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> install(yaml));
    assertTrue(String.valueOf(refused.getMessage()).contains("'platform' is reserved")
        || String.valueOf(refused.getCause()).contains("'platform' is reserved"), refused.toString());
  }
}
