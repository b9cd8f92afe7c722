package io.sensorfleet.core.manifest;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;

/** Shared test fixtures: manifest texts and result unpacking. */
final class Manifests {

  static final String MINIMAL = """
      id: ids
      image: sensorfleet/base
      """;

  static final String FULL = """
      id: passive-dns
      image: sensorfleet/jvm
      description: Passive DNS database
      command: [java, -jar, /opt/pdns.jar]
      network: { mode: passive, filter: "udp port 53" }
      storage: { persistent: 1GiB, transient: 32MiB }
      retention: 14d
      health: { interval: 20s, timeout: 5s, failures-before-restart: 5, start-period: 1m }
      limits: { cpus: 2, cpu-allowance: 50%, memory: 512MiB, processes: 128 }
      ui: { port: 8080 }
      control: tcp
      permissions:
        - subscribe: dns
        - publish: dns-stats
        - send: ids
        - receive-resource: geoip
      config: { zones: [example.org], depth: 3 }
      """;

  private Manifests() {}

  /** The minimal manifest plus {@code extra} lines. */
  static String minimalWith(String extra) {
    return MINIMAL + extra + "\n";
  }

  static InstrumentManifest parsed(String text) {
    return switch (ManifestParser.parse(text)) {
      case ManifestParseResult.Parsed parsed -> parsed.manifest();
      case ManifestParseResult.Invalid invalid -> fail("expected a valid manifest, got " + invalid.errors());
    };
  }

  static List<ManifestError> errors(String text) {
    return switch (ManifestParser.parse(text)) {
      case ManifestParseResult.Parsed parsed -> fail("expected errors, got " + parsed.manifest());
      case ManifestParseResult.Invalid invalid -> invalid.errors();
    };
  }
}
