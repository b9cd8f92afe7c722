package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * The Instrument's private disk quotas. {@code persistent} survives restarts and upgrades (e.g. a passive-DNS
 * database); {@code transient} is scratch space recreated empty on each start. Each is its own quota'd LXD
 * volume, so one Instrument cannot fill the sensor's disk. Zero means no volume at all (LXD reads size 0 as
 * "unlimited", so the lxd module must not create one).
 *
 * <p>Defaults ({@link #DEFAULT}): no persistent volume, 64MiB transient.
 */
public record Storage(ByteSize persistent, @JsonProperty("transient") ByteSize transientSize) {

  public static final ByteSize DEFAULT_PERSISTENT = ByteSize.ZERO;
  public static final ByteSize DEFAULT_TRANSIENT = ByteSize.ofMebibytes(64);
  public static final Storage DEFAULT = new Storage(DEFAULT_PERSISTENT, DEFAULT_TRANSIENT);

  public Storage {
    Objects.requireNonNull(persistent, "persistent");
    Objects.requireNonNull(transientSize, "transient");
  }
}
