package io.sensorfleet.core.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command to run in a container: the argument vector (no shell unless you call one), extra environment
 * variables, the working directory ({@code ""}: the manager's default) and the uid and gid to run as.
 */
public record ExecRequest(
    List<String> command, Map<String, String> environment, String workingDirectory, int uid, int gid) {

  public ExecRequest {
    command = List.copyOf(command);
    if (command.isEmpty()) {
      throw new IllegalArgumentException("exec: command is empty");
    }
    environment = Map.copyOf(environment);
    workingDirectory = workingDirectory == null ? "" : workingDirectory;
    if (uid < 0 || gid < 0) {
      throw new IllegalArgumentException("exec: uid and gid must not be negative");
    }
  }

  /** {@code command} as root, no extra environment, default working directory. */
  public static ExecRequest of(String... command) {
    return new ExecRequest(List.of(command), Map.of(), "", 0, 0);
  }

  public ExecRequest withEnvironment(String key, String value) {
    var more = new LinkedHashMap<>(environment);
    more.put(key, value);
    return new ExecRequest(command, more, workingDirectory, uid, gid);
  }

  public ExecRequest withWorkingDirectory(String directory) {
    return new ExecRequest(command, environment, directory, uid, gid);
  }

  public ExecRequest asUser(int newUid, int newGid) {
    return new ExecRequest(command, environment, workingDirectory, newUid, newGid);
  }
}
