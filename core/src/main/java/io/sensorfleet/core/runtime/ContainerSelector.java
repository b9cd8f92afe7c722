package io.sensorfleet.core.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which containers {@link ContainerRuntime#list} returns: those whose name starts with {@code namePrefix} and
 * which carry every one of {@code labels}. The empty selector matches all.
 */
public record ContainerSelector(String namePrefix, Map<String, String> labels) {

  public ContainerSelector {
    namePrefix = namePrefix == null ? "" : namePrefix;
    labels = Map.copyOf(labels);
  }

  public static ContainerSelector all() {
    return new ContainerSelector("", Map.of());
  }

  public static ContainerSelector prefix(String namePrefix) {
    return new ContainerSelector(namePrefix, Map.of());
  }

  public static ContainerSelector label(String key, String value) {
    return all().andLabel(key, value);
  }

  public ContainerSelector andLabel(String key, String value) {
    var more = new LinkedHashMap<>(labels);
    more.put(key, value);
    return new ContainerSelector(namePrefix, more);
  }

  public boolean matches(String name, Map<String, String> containerLabels) {
    return name.startsWith(namePrefix)
        && labels.entrySet().stream().allMatch(e -> e.getValue().equals(containerLabels.get(e.getKey())));
  }
}
