package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a size-checked text into a JSON tree, accepting only the YAML a manifest needs.
 *
 * <p>Rejected, each with its line and column: aliases (Jackson does not expand an alias, it would silently read
 * {@code *x} as the string {@code "x"}; rejecting them also rules out alias bombs) and the anchors of mappings
 * and lists (an anchored scalar is harmless without an alias and Jackson does not report it), explicit tags
 * ({@code !!python/object}), duplicate keys (which one wins would be a guess), more than one document, and
 * nesting deeper than {@link #MAX_DEPTH}. As in YAML 1.2, only {@code true} and {@code false} are booleans:
 * {@code yes}, {@code no}, {@code on}, {@code off} stay strings. SnakeYAML's own {@link LoaderOptions} limits are set as well, for the
 * parts of SnakeYAML that honour them.
 *
 * <p>JSON is YAML, except that SnakeYAML refuses tab indentation, which JSON tools often write; so a text that
 * looks like a JSON object ({@code {"} or <code>{}</code>) is read with Jackson's JSON parser first.
 */
final class StrictYaml {

  /** Deepest nesting of mappings and lists; a manifest needs 3, its config a few more. */
  static final int MAX_DEPTH = 32;

  private static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
      .maxNestingDepth(MAX_DEPTH * 2)
      .maxStringLength(ManifestParser.MAX_DOCUMENT_BYTES)
      .maxNumberLength(64)
      .build();
  // The builder does not start from the parser features' defaults, so every one is set here.
  private static final JsonFactory YAML = YAMLFactory.builder()
      .loaderOptions(loaderOptions())
      .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL) // "ui:" with nothing after it means "no ui"
      .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS) // "bridge: no" is a name, not false
      .disable(YAMLParser.Feature.EMPTY_DOCUMENT_AS_EMPTY_OBJECT)
      .streamReadConstraints(CONSTRAINTS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(CONSTRAINTS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final ObjectMapper TREES = new ObjectMapper();

  private StrictYaml() {}

  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(10);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit(ManifestParser.MAX_DOCUMENT_BYTES);
    options.setAllowDuplicateKeys(false);
    options.setAllowRecursiveKeys(false);
    options.setProcessComments(false);
    return options;
  }

  /** The tree of {@code text}, or empty with the problem recorded at {@link ManifestError#DOCUMENT}. */
  static Optional<JsonNode> read(String text, Problems problems) {
    if (!looksLikeJson(text)) {
      return tree(YAML, text, problems);
    }
    Problems asJson = new Problems();
    Optional<JsonNode> tree = tree(JSON, text, asJson);
    if (tree.isEmpty()) {
      // A YAML flow mapping such as {"id": x} starts like JSON; if YAML reads it, it is a valid manifest text.
      tree = tree(YAML, text, new Problems());
    }
    if (tree.isEmpty()) {
      asJson.list().forEach(e -> problems.add(e.path(), e.reason()));
    }
    return tree;
  }

  private static boolean looksLikeJson(String text) {
    String start = text.stripLeading();
    if (!start.startsWith("{")) {
      return false;
    }
    String rest = start.substring(1).stripLeading();
    return rest.startsWith("\"") || rest.startsWith("}");
  }

  private static Optional<JsonNode> tree(JsonFactory factory, String text, Problems problems) {
    try (JsonParser parser = factory.createParser(text); TokenBuffer tokens = new TokenBuffer(parser)) {
      int depth = 0;
      boolean complete = false;
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        Optional<String> problem = complete
            ? Optional.of("only one document is allowed (remove the '---' separator and what follows)")
            : unsupported(parser, token, depth);
        if (problem.isPresent()) {
          problems.add(ManifestError.DOCUMENT, at(parser) + problem.get());
          return Optional.empty();
        }
        depth += token.isStructStart() ? 1 : token.isStructEnd() ? -1 : 0;
        tokens.copyCurrentEvent(parser);
        complete = depth == 0;
      }
      if (!complete) {
        problems.add(ManifestError.DOCUMENT, "the manifest is empty");
        return Optional.empty();
      }
      try (JsonParser buffered = tokens.asParser()) {
        return Optional.of(TREES.readTree(buffered));
      }
    } catch (JsonProcessingException e) {
      problems.add(ManifestError.DOCUMENT, describe(e, format(factory)));
    } catch (IOException | RuntimeException e) {
      // Whatever the parser library throws, bad input must come back as a problem, never as an exception.
      problems.add(ManifestError.DOCUMENT,
          "not readable as " + format(factory) + ": " + oneLine(String.valueOf(e.getMessage())));
    }
    return Optional.empty();
  }

  private static Optional<String> unsupported(JsonParser parser, JsonToken token, int depth) throws IOException {
    if (token.isStructStart() && depth >= MAX_DEPTH) {
      return Optional.of("nested deeper than " + MAX_DEPTH + " levels");
    }
    if (parser instanceof YAMLParser yaml) {
      if (yaml.isCurrentAlias()) {
        return Optional.of("YAML aliases (*" + yaml.getText() + ") are not allowed in a manifest; write the value out");
      }
      if (yaml.getObjectId() != null) {
        return Optional.of("YAML anchors (&" + yaml.getObjectId() + ") are not allowed in a manifest");
      }
      if (yaml.getTypeId() != null) {
        return Optional.of("YAML tags (" + Text.quoted(yaml.getTypeId()) + ") are not allowed in a manifest; "
            + "quote the value instead");
      }
    }
    return Optional.empty();
  }

  private static String at(JsonParser parser) {
    var location = parser.currentTokenLocation();
    return "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
  }

  private static String format(JsonFactory factory) {
    return factory == JSON ? "JSON" : "YAML";
  }

  private static String describe(JsonProcessingException e, String format) {
    if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
      var mark = yaml.getProblemMark();
      String context = yaml.getContext() == null ? "" : yaml.getContext() + ": ";
      return "not valid YAML at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": "
          + oneLine(context + yaml.getProblem());
    }
    var location = e.getLocation();
    String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    return "not valid " + format + where + ": " + oneLine(e.getOriginalMessage());
  }

  private static String oneLine(String message) {
    String flat = message.replaceAll("\\s+", " ").strip();
    return Text.escaped(flat.length() > 200 ? flat.substring(0, 200) + "..." : flat);
  }
}
