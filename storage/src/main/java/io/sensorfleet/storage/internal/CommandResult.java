package io.sensorfleet.storage.internal;

/** How a host command ended: its exit code and what it wrote, decoded as UTF-8 and cut at a size limit. */
public record CommandResult(int exitCode, String stdout, String stderr) {

  public boolean succeeded() {
    return exitCode == 0;
  }
}
