package io.sensorfleet.http;

import io.sensorfleet.actors.SensorGuardian;
import io.sensorfleet.actors.bus.PolicyStore;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.actors.instrument.InstrumentRegistry;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.manifest.InstrumentManifest;
import io.sensorfleet.core.manifest.ManifestParser;
import io.sensorfleet.core.permission.Grant;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * {@code ./sensorfleet demo}: installs (when new) and starts every manifest of the demo directory, one after the
 * other, printing progress. A failing Instrument is reported and the others still start.
 */
final class Demo {

  private static final Principal DEMO = Principal.user("demo");

  private final ActorSystem<SensorGuardian.Command> system;
  private final Duration timeout;
  private final PrintStream out;

  Demo(ActorSystem<SensorGuardian.Command> system, Duration timeout, PrintStream out) {
    this.system = system;
    this.timeout = timeout;
    this.out = out;
  }

  CompletionStage<Void> run(Path directory) {
    List<InstrumentManifest> manifests;
    try (Stream<Path> files = Files.list(directory)) {
      manifests = files.filter(f -> f.toString().endsWith(".yaml")).sorted()
          .map(ManifestParser::parseOrThrow).toList();
    } catch (IOException | IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new IllegalStateException("demo manifests in " + directory + ": "
          + e.getMessage(), e));
    }
    CompletionStage<Void> chain = approveRequests(manifests);
    for (InstrumentManifest manifest : manifests) {
      chain = chain.thenCompose(v -> bringUp(manifest));
    }
    return chain;
  }

  /**
   * The demo's operator approves what the demo manifests request (audited as {@code demo}); a real operator does
   * this through the API. Grants already given stay; nothing else is granted.
   */
  private CompletionStage<Void> approveRequests(List<InstrumentManifest> manifests) {
    List<Grant> grants = manifests.stream()
        .flatMap(m -> m.permissions().stream().map(request -> request.grantTo(m.id())))
        .toList();
    if (grants.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
    for (Grant grant : grants) {
      chain = chain.thenCompose(v -> AskPattern.<SensorGuardian.Command, PolicyStore.State>askWithStatus(system,
              r -> new SensorGuardian.ToPolicy(new PolicyStore.AddGrant(grant, DEMO, r)), timeout, system.scheduler())
          .handle((state, error) -> {
            out.println(error == null ? "demo: approved: " + grant.describe()
                : "demo: could not grant " + grant.describe() + ": " + rootMessage(error));
            return null;
          }));
    }
    return chain;
  }

  private CompletionStage<Void> bringUp(InstrumentManifest manifest) {
    out.println("demo: installing " + manifest.id() + " (" + manifest.image() + ")...");
    return ask(r -> new InstrumentRegistry.Install(manifest, DEMO, r))
        .handle((status, error) -> null)  // already installed on an earlier demo run: just start it
        .thenCompose(v -> {
          out.println("demo: starting " + manifest.id() + "...");
          return ask(r -> new InstrumentRegistry.Start(manifest.id(), DEMO, r));
        })
        .handle((status, error) -> {
          out.println(error == null
              ? "demo: " + manifest.id() + " is " + status.actual().name().toLowerCase() + " ("
                  + status.detail() + ")"
              : "demo: " + manifest.id() + " did not start: " + rootMessage(error));
          return null;
        });
  }

  private CompletionStage<Instrument.Status> ask(
      java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<org.apache.pekko.pattern.StatusReply<
          Instrument.Status>>, InstrumentRegistry.Command> command) {
    return AskPattern.askWithStatus(system, r -> new SensorGuardian.ToInstruments(command.apply(r)), timeout,
        system.scheduler());
  }

  private static String rootMessage(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
