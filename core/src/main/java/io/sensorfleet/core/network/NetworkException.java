package io.sensorfleet.core.network;

import io.sensorfleet.core.InstrumentId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Why a {@link NetworkProvisioner} call failed. Each subclass is one kind of failure a caller can act on. */
public abstract sealed class NetworkException extends RuntimeException {

  private NetworkException(String message) {
    super(message);
  }

  /**
   * The {@code NetworkException} behind {@code failure}, looking through the {@code CompletionException} and
   * {@code ExecutionException} wrappers that {@code CompletableFuture} adds.
   */
  public static Optional<NetworkException> of(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof NetworkException e ? Optional.of(e) : Optional.empty();
  }

  /**
   * The sensor configuration does not offer what the Instrument asks for, or another Instrument holds it: a rule,
   * not a fault. Installing (or starting) the Instrument as it is will not work until the configuration changes.
   */
  public static final class Refused extends NetworkException {
    private final InstrumentId instrument;
    private final String reason;

    public Refused(InstrumentId instrument, String reason) {
      super("network refused for Instrument '" + instrument + "': " + reason);
      this.instrument = instrument;
      this.reason = reason;
    }

    public InstrumentId instrument() {
      return instrument;
    }

    public String reason() {
      return reason;
    }
  }

  /**
   * The configuration offers it, but the host cannot give it now: the bridge or interface does not exist, is of
   * the wrong kind, carries the sensor's own addresses, or is in use. Fixing the host and retrying may work.
   */
  public static final class Unavailable extends NetworkException {
    private final InstrumentId instrument;
    private final String reason;

    public Unavailable(InstrumentId instrument, String reason) {
      super("network unavailable for Instrument '" + instrument + "': " + reason);
      this.instrument = instrument;
      this.reason = reason;
    }

    public InstrumentId instrument() {
      return instrument;
    }

    public String reason() {
      return reason;
    }
  }

  /**
   * A host command ({@code ip}, {@code nft}) failed, timed out or could not be run. {@code exitCode} is -1 when
   * it did not exit by itself; {@code stderr} is the tool's own error output (or why it could not run).
   */
  public static final class HostCommandFailed extends NetworkException {
    private final List<String> command;
    private final int exitCode;
    private final String stderr;

    public HostCommandFailed(List<String> command, int exitCode, String stderr) {
      super("'" + String.join(" ", command) + "' failed"
          + (exitCode >= 0 ? " with exit code " + exitCode : "") + ": " + stderr.strip());
      this.command = List.copyOf(command);
      this.exitCode = exitCode;
      this.stderr = stderr;
    }

    /** The command did not finish within {@code timeout} and was killed. */
    public static HostCommandFailed timedOut(List<String> command, Duration timeout) {
      return new HostCommandFailed(command, -1, "no result within " + timeout.toMillis() + " ms; killed");
    }

    public List<String> command() {
      return command;
    }

    public int exitCode() {
      return exitCode;
    }

    public String stderr() {
      return stderr;
    }
  }
}
