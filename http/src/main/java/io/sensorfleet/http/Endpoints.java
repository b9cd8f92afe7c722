package io.sensorfleet.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The API's operations, each declared by its method and path template ({@code /api/v1/instruments/{id}/start}):
 * the template builds the path directives (static segments match literally, {@code {name}} matches one segment
 * handed to the route by name), so the template is the route. The set of templates is known as soon as the routes
 * are built, and {@code OpenApiDocumentTest} compares it with {@code openapi.yaml} both ways.
 */
public final class Endpoints {

  /** The path variables of one request, by template name. */
  public record Vars(Map<String, String> values) {
    public String get(String name) {
      String value = values.get(name);
      if (value == null) {
        throw new IllegalStateException("no path variable {" + name + "}");
      }
      return value;
    }
  }

  private final SortedSet<String> operations = new TreeSet<>();

  public Route get(String template, Function<Vars, Route> inner) {
    return add("get", template, inner, Directives::get);
  }

  public Route post(String template, Function<Vars, Route> inner) {
    return add("post", template, inner, Directives::post);
  }

  public Route put(String template, Function<Vars, Route> inner) {
    return add("put", template, inner, Directives::put);
  }

  public Route patch(String template, Function<Vars, Route> inner) {
    return add("patch", template, inner, Directives::patch);
  }

  public Route delete(String template, Function<Vars, Route> inner) {
    return add("delete", template, inner, Directives::delete);
  }

  /** Every operation declared, as {@code "get /api/v1/health"}. */
  public SortedSet<String> operations() {
    return Collections.unmodifiableSortedSet(operations);
  }

  private Route add(String method, String template, Function<Vars, Route> inner,
      Function<Supplier<Route>, Route> methodDirective) {
    if (!template.startsWith("/")) {
      throw new IllegalArgumentException("a template starts with /: " + template);
    }
    if (!operations.add(method + " " + template)) {
      throw new IllegalArgumentException("declared twice: " + method + " " + template);
    }
    List<String> segments = Arrays.stream(template.substring(1).split("/")).toList();
    Route route = match(segments, 0, List.of(), vars -> methodDirective.apply(() -> inner.apply(vars)));
    // A cheap look at the path first: a request that is not for this template is rejected as the path directives
    // would reject it (with no rejection), without running them (they allocate per segment, for every template, on
    // every request: the larger part of an API request's garbage). Percent-encoded paths take the long way, which
    // decodes.
    String[] parts = new String[segments.size() + 1];
    parts[0] = "";
    for (int i = 0; i < segments.size(); i++) {
      parts[i + 1] = segments.get(i);
    }
    Route reject = reject();
    return extractUnmatchedPath(path -> path.indexOf('%') >= 0 || matches(parts, path) ? route : reject);
  }

  /**
   * Whether {@code path} fits the template split at its slashes ({@code parts}, the first one empty): each literal
   * segment equal, each {@code {name}} one non-empty segment, then the end or a single slash. Compared in place,
   * without allocating.
   */
  static boolean matches(String[] parts, String path) {
    int pos = 0;
    for (int i = 1; i < parts.length; i++) {
      if (pos >= path.length() || path.charAt(pos) != '/') {
        return false;
      }
      pos++;
      int end = path.indexOf('/', pos);
      if (end < 0) {
        end = path.length();
      }
      String part = parts[i];
      boolean variable = part.startsWith("{");
      if (variable ? end == pos
          : end - pos != part.length() || !path.regionMatches(pos, part, 0, part.length())) {
        return false;
      }
      pos = end;
    }
    return pos == path.length() || pos == path.length() - 1 && path.charAt(pos) == '/';
  }

  private static Route match(List<String> segments, int index, List<String> values,
      Function<Vars, Route> inner) {
    if (index == segments.size()) {
      return pathEndOrSingleSlash(() -> inner.apply(vars(segments, values)));
    }
    String segment = segments.get(index);
    if (segment.startsWith("{") && segment.endsWith("}")) {
      return pathPrefix(PathMatchers.segment(), value -> {
        List<String> next = new ArrayList<>(values);
        next.add(value);
        return match(segments, index + 1, next, inner);
      });
    }
    return pathPrefix(segment, () -> match(segments, index + 1, values, inner));
  }

  private static Vars vars(List<String> segments, List<String> values) {
    Map<String, String> byName = new HashMap<>();
    int i = 0;
    for (String s : segments) {
      if (s.startsWith("{") && s.endsWith("}")) {
        byName.put(s.substring(1, s.length() - 1), values.get(i++));
      }
    }
    return new Vars(byName);
  }
}
