package io.sensorfleet.lxd;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The adapter's settings, read once from {@code sensor.lxd} (see {@code reference.conf} for each key).
 *
 * @param socket the daemon's unix socket
 * @param dialect LXD or Incus
 * @param operationTimeout longest wait for one asynchronous operation
 * @param stopTimeout grace period of {@code stop(name)} before it forces the container
 * @param storagePool pool of every new container's root disk
 * @param profiles profiles applied to new containers (none by default)
 * @param maxConnections HTTP connections to the socket
 * @param maxOpenRequests requests that may wait for a connection (a power of 2)
 * @param maxResponseBytes largest response accepted (pulled file, recorded output)
 * @param eventsKeepAlive ping interval of the event stream
 */
public record LxdSettings(
    Path socket,
    LxdDialect dialect,
    Duration operationTimeout,
    Duration stopTimeout,
    String storagePool,
    List<String> profiles,
    int maxConnections,
    int maxOpenRequests,
    long maxResponseBytes,
    Duration eventsKeepAlive) {

  public LxdSettings {
    profiles = List.copyOf(profiles);
    if (operationTimeout.toSeconds() < 1) {
      throw new IllegalArgumentException("sensor.lxd.operation-timeout must be at least 1s");
    }
    if (Integer.bitCount(maxOpenRequests) != 1) {
      throw new IllegalArgumentException("sensor.lxd.max-open-requests must be a power of 2: " + maxOpenRequests);
    }
  }

  /** Reads {@code sensor.lxd} of the system's config, resolving the socket with the process environment. */
  public static LxdSettings fromRootConfig(Config root) {
    return fromConfig(root.getConfig("sensor.lxd"), System.getenv());
  }

  /** Reads the {@code sensor.lxd} section; {@code environment} supplies {@code LXD_DIR} / {@code INCUS_DIR}. */
  public static LxdSettings fromConfig(Config c, Map<String, String> environment) {
    LxdDialect dialect = LxdDialect.parse(c.getString("dialect"));
    String socket = c.getString("socket");
    return new LxdSettings(
        socket.isBlank() ? dialect.defaultSocket(environment) : Path.of(socket),
        dialect,
        c.getDuration("operation-timeout"),
        c.getDuration("stop-timeout"),
        c.getString("storage-pool"),
        c.getStringList("profiles"),
        c.getInt("max-connections"),
        c.getInt("max-open-requests"),
        c.getBytes("max-response-size"),
        c.getDuration("events-keep-alive"));
  }

  /** These settings talking to another socket (a private daemon, a test double). */
  public LxdSettings withSocket(Path otherSocket) {
    return new LxdSettings(otherSocket, dialect, operationTimeout, stopTimeout, storagePool, profiles,
        maxConnections, maxOpenRequests, maxResponseBytes, eventsKeepAlive);
  }

  /** These settings with another operation timeout. */
  public LxdSettings withOperationTimeout(Duration timeout) {
    return new LxdSettings(socket, dialect, timeout, stopTimeout, storagePool, profiles,
        maxConnections, maxOpenRequests, maxResponseBytes, eventsKeepAlive);
  }
}
