package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Resource limits of the container, applied as LXD {@code limits.*}: {@code cpus} ({@code limits.cpu}, 1 to
 * 64), an optional {@code cpuAllowancePercent} ({@code limits.cpu.allowance}, 1 to 100: the share of those CPUs'
 * time the Instrument gets when the host is busy; written {@code cpu-allowance: 50%} in YAML), {@code memory}
 * ({@code limits.memory}, 32MiB to 64GiB) and {@code processes} ({@code limits.processes}, 1 to 32768, which
 * also stops fork bombs).
 *
 * <p>Defaults ({@link #DEFAULT}): 1 CPU, no allowance, 256MiB, 256 processes.
 */
public record Limits(
    int cpus,
    @JsonProperty("cpu-allowance-percent") OptionalInt cpuAllowancePercent,
    ByteSize memory,
    int processes) {

  public static final ByteSize MIN_MEMORY = ByteSize.ofMebibytes(32);
  public static final ByteSize MAX_MEMORY = ByteSize.ofGibibytes(64);
  public static final Limits DEFAULT = new Limits(1, OptionalInt.empty(), ByteSize.ofMebibytes(256), 256);

  public Limits {
    requireCpus(cpus);
    Objects.requireNonNull(cpuAllowancePercent, "cpuAllowancePercent");
    cpuAllowancePercent.ifPresent(Limits::requireAllowance);
    requireMemory(memory);
    requireProcesses(processes);
  }

  static int requireCpus(int cpus) {
    return requireRange(cpus, 1, 64);
  }

  static int requireAllowance(int percent) {
    return requireRange(percent, 1, 100);
  }

  static int requireProcesses(int processes) {
    return requireRange(processes, 1, 32768);
  }

  static ByteSize requireMemory(ByteSize memory) {
    Objects.requireNonNull(memory, "memory");
    if (memory.compareTo(MIN_MEMORY) < 0 || memory.compareTo(MAX_MEMORY) > 0) {
      throw new IllegalArgumentException("must be between " + MIN_MEMORY + " and " + MAX_MEMORY + ", got " + memory);
    }
    return memory;
  }

  /** Parses {@code 50%} into 50. */
  static int parseAllowance(String text) {
    if (text == null || !text.matches("\\d{1,3}%")) {
      throw new IllegalArgumentException(Text.quoted(text) + " is not a CPU allowance: use a percentage like 50%");
    }
    return requireAllowance(Integer.parseInt(text.substring(0, text.length() - 1)));
  }

  private static int requireRange(int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException("must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }
}
