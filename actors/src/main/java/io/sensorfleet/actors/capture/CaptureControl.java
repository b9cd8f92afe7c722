package io.sensorfleet.actors.capture;

import io.sensorfleet.capture.control.ControlReply;
import io.sensorfleet.capture.control.ControlRequest;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * How the {@link CaptureSupervisor} reaches the Capture Engine, which runs as a process of its own
 * ({@link CaptureProcess}; tests pass a fake): start it on the capture interfaces, talk to it over its control
 * socket, learn when it ends. Nothing here blocks the caller.
 */
public interface CaptureControl {

  /**
   * Starts an engine on {@code interfaces}. Completes once its control socket answers; fails with the process's
   * own words (e.g. "capture interface eth1 does not exist") when it exits first or does not get ready in time.
   */
  CompletionStage<Session> start(List<String> interfaces);

  /** One running engine process. */
  interface Session {
    /** Sends one request; replies come in the order requests were sent. Fails if the process is gone. */
    CompletionStage<ControlReply> call(ControlRequest request);

    /** Completes, with how it ended (exit status, last words), when the process ends for whatever reason. */
    CompletionStage<String> ended();

    /** Stops the process (SIGTERM, then SIGKILL after a grace); {@link #ended} completes after. */
    void stop();
  }
}
