package io.sensorfleet.core.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads an {@link InstrumentManifest} from YAML (or JSON, which is YAML) and reports <em>every</em> problem at
 * once, each with the path of the field it concerns, so an author fixes a manifest in one round.
 *
 * <p>Strict, because a manifest is untrusted input that decides an Instrument's privileges:
 * <ul>
 *   <li>Unknown fields are errors, at the top level and in every section: a typo such as {@code permisions:}
 *       or {@code limits: {memroy: 1GiB}} must not be silently ignored.</li>
 *   <li>Types are not coerced: {@code port: "8080"} is an error, sizes and durations need units.</li>
 *   <li>Documents above {@link #MAX_DOCUMENT_BYTES}, several documents, YAML anchors/aliases, tags, duplicate
 *       keys and nesting deeper than 32 levels are rejected (see {@code StrictYaml}), which also defuses
 *       alias bombs.</li>
 * </ul>
 *
 * <p>The shape, with every default spelled out:
 * <pre>{@code
 * id: passive-dns                 # required
 * image: sensorfleet/jvm          # required, local LXD alias
 * description: Passive DNS database
 * command: [/opt/pdns/bin/run]    # default: the image's init
 * network: {mode: none}           # | {mode: passive, filter: "udp port 53"} | {mode: bridged, bridge: br-lan}
 *                                 # | {mode: dedicated, interface: eth2}
 *                                 # bridged and dedicated may add: address: 10.254.0.10/24, gateway: 10.254.0.1,
 *                                 # dns: [10.254.0.1]
 * storage: {persistent: 0B, transient: 64MiB}
 * retention: 30d
 * health: {interval: 10s, timeout: 3s, failures-before-restart: 3, start-period: 0s}
 * limits: {cpus: 1, memory: 256MiB, processes: 256}   # optional cpu-allowance: 50%
 * ui: {port: 8080}                # optional
 * control: socket                 # | tcp
 * permissions:                    # requests only; an operator grants them
 *   - subscribe: dns              # send: <instrument> | publish: <topic> | subscribe: <topic>
 *                                 # | receive-resource: <name>
 * config: {}                      # any mapping, handed to the Instrument
 * }</pre>
 *
 * <p>Only {@code parseOrThrow} throws on bad input; {@code parse} always returns a result.
 */
public final class ManifestParser {

  /** The largest manifest accepted, in bytes of UTF-8 (256 KiB); a manifest is a few hundred bytes. */
  public static final int MAX_DOCUMENT_BYTES = 256 * 1024;

  private ManifestParser() {}

  /** Parses {@code text}; never throws for bad input. */
  public static ManifestParseResult parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.length() > MAX_DOCUMENT_BYTES || utf8Length(text) > MAX_DOCUMENT_BYTES) {
      return tooLarge();
    }
    Problems problems = new Problems();
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    Optional<JsonNode> tree = StrictYaml.read(body, problems);
    return tree.isPresent() ? ManifestReader.read(tree.get()) : new ManifestParseResult.Invalid(problems.list());
  }

  /** Reads and parses {@code file} (UTF-8); never throws for a bad or unreadable file. */
  public static ManifestParseResult parse(Path file) {
    Objects.requireNonNull(file, "file");
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_DOCUMENT_BYTES + 1);
    } catch (IOException e) {
      return invalid("cannot read " + file + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
    }
    if (bytes.length > MAX_DOCUMENT_BYTES) {
      return tooLarge();
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
      return parse(text);
    } catch (CharacterCodingException e) {
      return invalid("not UTF-8 text");
    }
  }

  /** Parses {@code text} or throws {@link InvalidManifestException} listing every problem. */
  public static InstrumentManifest parseOrThrow(String text) {
    return orThrow(parse(text), "text");
  }

  /** Reads and parses {@code file} or throws {@link InvalidManifestException} listing every problem. */
  public static InstrumentManifest parseOrThrow(Path file) {
    return orThrow(parse(file), file.toString());
  }

  private static InstrumentManifest orThrow(ManifestParseResult result, String source) {
    return switch (result) {
      case ManifestParseResult.Parsed parsed -> parsed.manifest();
      case ManifestParseResult.Invalid invalid -> throw new InvalidManifestException(source, invalid.errors());
    };
  }

  private static ManifestParseResult tooLarge() {
    return invalid("larger than " + MAX_DOCUMENT_BYTES / 1024 + " KiB");
  }

  private static ManifestParseResult invalid(String reason) {
    return new ManifestParseResult.Invalid(List.of(new ManifestError(ManifestError.DOCUMENT, reason)));
  }

  private static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
