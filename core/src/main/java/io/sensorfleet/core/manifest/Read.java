package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads one YAML value at {@code path} into a {@code T}, recording problems instead of throwing. Empty means
 * the value was invalid and at least one problem was recorded.
 */
@FunctionalInterface
interface Read<T> {

  Optional<T> read(JsonNode node, String path, Problems problems);

  /**
   * Then converts or checks the value with {@code f}; an {@link IllegalArgumentException} from {@code f} becomes a
   * problem at the same path, its message the reason. Lets value types keep their rules in one place.
   */
  default <R> Read<R> map(Function<? super T, ? extends R> f) {
    return (node, path, problems) -> read(node, path, problems).flatMap(value -> {
      try {
        return Optional.of(f.apply(value));
      } catch (IllegalArgumentException e) {
        problems.add(path, e.getMessage());
        return Optional.empty();
      }
    });
  }
}
