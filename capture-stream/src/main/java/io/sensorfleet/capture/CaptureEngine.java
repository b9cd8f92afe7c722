package io.sensorfleet.capture;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The Capture Engine on one capture interface: its ring read into a {@code BroadcastHub}, and one branch per
 * mirror port, attached and detached while it runs. Each branch is hub → kill switch → optional pcap filter
 * (evaluated in the sink, per frame, by libpcap) → drop-oldest buffer → the port's socket; a slow or stalled
 * port loses only its own frames.
 *
 * <p>This is the API the platform will drive (an actor per sensor interface, or a separate process behind a
 * local socket): {@link #attach}, {@link #detach}, {@link #stats}, {@link #stop}. Thread-safe.
 */
public final class CaptureEngine {
  private final String iface;
  private final CaptureSettings settings;
  private final Materializer mat;
  private final PacketSources.Reader reader;
  private final PacketRing ring;
  private final Source<PacketBatch, NotUsed> hub;
  private final Map<String, Branch> branches = new LinkedHashMap<>();
  private boolean stopping;

  private record Branch(PortCounters counters, UniqueKillSwitch killSwitch, CompletionStage<Done> done) {}

  private CaptureEngine(String iface, CaptureSettings settings, Materializer mat, PacketSources.Reader reader,
                        PacketRing ring, Source<PacketBatch, NotUsed> hub) {
    this.ring = ring;
    this.iface = iface;
    this.settings = settings;
    this.mat = mat;
    this.reader = reader;
    this.hub = hub;
  }

  /**
   * Opens the ring on {@code iface} and starts reading. When this returns the capture socket is open and bound.
   *
   * @throws CaptureException when the interface is missing or the socket cannot be set up (e.g. no CAP_NET_RAW)
   */
  public static CaptureEngine start(String iface, CaptureSettings settings, ClassicActorSystemProvider system) {
    Materializer mat = Materializer.matFromSystem(system);
    PacketRing ring = PacketRing.open(iface, settings);
    Pair<PacketSources.Reader, Source<PacketBatch, NotUsed>> running =
        MirrorGraph.hub(ring, settings, system.classicSystem().dispatchers().lookup(settings.dispatcher())).run(mat);
    // A consumer that is always there: the hub never waits for ports to attach.
    running.second().runWith(MirrorGraph.drain(), mat);
    return new CaptureEngine(iface, settings, mat, running.first(), ring, running.second());
  }

  public String iface() {
    return iface;
  }

  /**
   * Starts mirroring to {@code port}, keeping only frames that match {@code filter} (pcap syntax) if given.
   * When this returns the port's socket is open. Replaces nothing: a port is attached at most once.
   *
   * @throws InvalidFilterException with libpcap's message
   * @throws CaptureException when the port is missing, already attached, or its socket cannot be set up
   */
  public synchronized PortStats attach(String port, Optional<String> filter) {
    if (stopping) {
      throw new CaptureException("the capture engine on " + iface + " is stopping");
    }
    if (branches.containsKey(port)) {
      throw new CaptureException("port " + port + " is already attached");
    }
    Optional<PacketFilter> compiled = filter.filter(f -> !f.isBlank()).map(PacketFilter::compile);
    PortCounters counters = new PortCounters(port, compiled.map(PacketFilter::expression));
    PortSocket socket = PortSocket.open(port, compiled, counters, ring, settings);
    Pair<UniqueKillSwitch, CompletionStage<Done>> m = MirrorGraph.branch(hub, socket, counters, settings).run(mat);
    branches.put(port, new Branch(counters, m.first(), m.second()));
    return counters.snapshot();
  }

  /**
   * Stops mirroring to {@code port}: what its buffer holds is still sent, then its socket closes. Completes
   * with its final counters; the other ports are not disturbed.
   */
  public synchronized CompletionStage<PortStats> detach(String port) {
    Branch b = branches.remove(port);
    if (b == null) {
      return CompletableFuture.failedFuture(new CaptureException("port " + port + " is not attached"));
    }
    b.killSwitch().shutdown();
    return b.done().handle((d, e) -> b.counters().snapshot());
  }

  /** Completes when reading stops: normally after {@link #stop}, exceptionally if capture failed. */
  public CompletionStage<Done> done() {
    return reader.done();
  }

  /** The counters now; ports that were detached are no longer listed. */
  public synchronized CaptureStats stats() {
    List<PortStats> ports = new ArrayList<>();
    for (Branch b : branches.values()) {
      ports.add(b.counters().snapshot());
    }
    return new CaptureStats(iface, reader.frames(), reader.ringStats().drops(), reader.queueDrops(), ports);
  }

  /**
   * Stops reading; every branch sends what it holds and closes. Completes with the final counters (ports
   * included) once every socket is closed.
   */
  public CompletionStage<CaptureStats> stop() {
    List<CompletableFuture<Done>> all = new ArrayList<>();
    synchronized (this) {
      stopping = true;
      for (Branch b : branches.values()) {
        all.add(b.done().toCompletableFuture());
      }
    }
    return reader.stop()
        .thenCompose(d -> CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)))
        .thenApply(v -> {
          CaptureStats last = stats();
          ring.close(); // the reader and every branch are done: nobody reads the ring any more
          return last;
        });
  }
}
