package io.sensorfleet.network;

import com.typesafe.config.Config;
import io.sensorfleet.core.network.NetworkAllowlist;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The adapter's settings, read once from the sensor configuration (see {@code reference.conf} for each key).
 *
 * @param allowlist what the sensor offers: {@code sensor.bridges}, {@code sensor.interfaces.dedicated},
 *     {@code sensor.interfaces.capture}
 * @param nftTable name of the nftables tables holding all of the sensor's rules
 * @param isolateBridges whether the host is walled off from the declared bridges
 * @param commandTimeout longest wait for one {@code ip} or {@code nft} command
 * @param ipCommand path of {@code ip}
 * @param nftCommand path of {@code nft}
 */
public record NetworkSettings(
    NetworkAllowlist allowlist,
    String nftTable,
    boolean isolateBridges,
    Duration commandTimeout,
    String ipCommand,
    String nftCommand) {

  private static final Pattern TABLE = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,31}");

  public NetworkSettings {
    Objects.requireNonNull(allowlist, "allowlist");
    if (nftTable == null || !TABLE.matcher(nftTable).matches()) {
      throw new IllegalArgumentException("sensor.network.nft-table must be a letter then up to 31 letters, digits,"
          + " '_' or '-': " + nftTable);
    }
    if (commandTimeout.toMillis() < 100) {
      throw new IllegalArgumentException("sensor.network.command-timeout must be at least 100ms");
    }
    requireText("sensor.network.ip-command", ipCommand);
    requireText("sensor.network.nft-command", nftCommand);
  }

  /** Reads {@code sensor.bridges}, {@code sensor.interfaces.*} and {@code sensor.network} of the system's config. */
  public static NetworkSettings fromRootConfig(Config root) {
    Config sensor = root.getConfig("sensor");
    Config network = sensor.getConfig("network");
    var allowlist = new NetworkAllowlist(
        new HashSet<>(sensor.getStringList("bridges")),
        new HashSet<>(sensor.getStringList("interfaces.dedicated")),
        new HashSet<>(sensor.getStringList("interfaces.capture")));
    return new NetworkSettings(
        allowlist,
        network.getString("nft-table"),
        network.getBoolean("isolate-bridges"),
        network.getDuration("command-timeout"),
        network.getString("ip-command"),
        network.getString("nft-command"));
  }

  /** These settings offering {@code other} instead. */
  public NetworkSettings withAllowlist(NetworkAllowlist other) {
    return new NetworkSettings(other, nftTable, isolateBridges, commandTimeout, ipCommand, nftCommand);
  }

  /** These settings keeping their rules in the tables {@code table} (tests use one per run). */
  public NetworkSettings withNftTable(String table) {
    return new NetworkSettings(allowlist, table, isolateBridges, commandTimeout, ipCommand, nftCommand);
  }

  private static void requireText(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(key + " is empty");
    }
  }
}
