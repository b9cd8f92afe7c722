package io.sensorfleet.core.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What to create: a container {@code name} from the local image {@code imageAlias}, with LXD instance
 * {@code config} keys (e.g. {@code limits.memory}), {@code devices} by device name, and {@code labels}, which
 * are stored as {@code user.<key>} config so that {@link ContainerSelector} finds the container again after a
 * restart.
 *
 * <p>Use {@link SecureDefaults#apply} for Instrument containers rather than filling {@code config} by hand.
 */
public record ContainerSpec(
    String name,
    String imageAlias,
    Map<String, String> config,
    Map<String, Device> devices,
    Map<String, String> labels) {

  /** LXD's rule for instance names (they become host names): 1 to 63 letters, digits or '-'. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]|[A-Za-z]");
  private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  /** Config key prefix LXD reserves for user data; labels live under it. */
  public static final String LABEL_PREFIX = "user.";

  public ContainerSpec {
    requireName(name);
    if (imageAlias == null || imageAlias.isBlank()) {
      throw new IllegalArgumentException("container " + name + ": image alias is missing");
    }
    config = Map.copyOf(config);
    devices = Map.copyOf(devices);
    labels = Map.copyOf(labels);
    devices.keySet().forEach(ContainerSpec::requireDeviceName);
    for (String key : labels.keySet()) {
      if (!LABEL_KEY.matcher(key).matches()) {
        throw new IllegalArgumentException("container " + name + ": invalid label key '" + key + "'");
      }
      if (config.containsKey(LABEL_PREFIX + key)) {
        throw new IllegalArgumentException("container " + name + ": label '" + key + "' is also set as config");
      }
    }
  }

  /** A spec with no config, devices or labels yet. */
  public static ContainerSpec of(String name, String imageAlias) {
    return new ContainerSpec(name, imageAlias, Map.of(), Map.of(), Map.of());
  }

  public ContainerSpec withConfig(String key, String value) {
    return new ContainerSpec(name, imageAlias, with(config, key, value), devices, labels);
  }

  public ContainerSpec withConfig(Map<String, String> more) {
    var merged = new LinkedHashMap<>(config);
    merged.putAll(more);
    return new ContainerSpec(name, imageAlias, merged, devices, labels);
  }

  public ContainerSpec withDevice(String deviceName, Device device) {
    return new ContainerSpec(name, imageAlias, config, with(devices, deviceName, device), labels);
  }

  public ContainerSpec withLabel(String key, String value) {
    return new ContainerSpec(name, imageAlias, config, devices, with(labels, key, value));
  }

  /** The config the manager receives: {@link #config} plus the labels as {@code user.*} keys. */
  public Map<String, String> effectiveConfig() {
    var all = new LinkedHashMap<>(config);
    labels.forEach((k, v) -> all.put(LABEL_PREFIX + k, v));
    return all;
  }

  /** Throws unless {@code name} is a valid container name. */
  public static String requireName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid container name '" + name
          + "': use 1 to 63 letters, digits or '-', starting with a letter and not ending with '-'");
    }
    return name;
  }

  /** Throws unless {@code deviceName} is a usable device name (no '/', no blanks). */
  public static String requireDeviceName(String deviceName) {
    if (deviceName == null || deviceName.isBlank() || deviceName.contains("/") || deviceName.length() > 64
        || !deviceName.strip().equals(deviceName)) {
      throw new IllegalArgumentException("invalid device name '" + deviceName + "'");
    }
    return deviceName;
  }

  private static <V> Map<String, V> with(Map<String, V> map, String key, V value) {
    var copy = new LinkedHashMap<>(map);
    copy.put(key, value);
    return copy;
  }
}
