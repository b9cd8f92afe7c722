package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.http.json.InstrumentView;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /api/v1/instruments}: every Instrument with its desired and actual state (read-only for now). */
public final class InstrumentRoutes {

  private final Supplier<CompletionStage<List<Instrument.Status>>> list;
  private final ObjectMapper mapper;

  /**
   * @param list   asks the registry (through the guardian) for every Instrument's status
   * @param mapper the system's {@code jackson-json} mapper
   */
  public InstrumentRoutes(Supplier<CompletionStage<List<Instrument.Status>>> list, ObjectMapper mapper) {
    this.list = list;
    this.mapper = mapper;
  }

  public Route route() {
    return pathPrefix("instruments", () -> pathEndOrSingleSlash(() -> get(() -> onSuccess(list.get(),
        statuses -> completeOK(statuses.stream().map(InstrumentView::of).toList(), Jackson.marshaller(mapper))))));
  }
}
