package io.sensorfleet.core.runtime;

/** How a command in a container ended: its exit code and everything it wrote, decoded as UTF-8. */
public record ExecResult(int exitCode, String stdout, String stderr) {

  public boolean succeeded() {
    return exitCode == 0;
  }
}
