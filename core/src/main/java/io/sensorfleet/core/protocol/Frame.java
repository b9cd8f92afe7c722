package io.sensorfleet.core.protocol;

import io.sensorfleet.core.InstrumentId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One line on an Instrument's socket. The whole protocol is here, one record per frame type, so no other file can
 * add a frame; {@code docs/protocol.md} is its specification.
 *
 * <p>Records refuse values outside the protocol's rules ({@link IllegalArgumentException}), so every frame that
 * exists can be encoded and every decoded frame is valid. Correlation: a frame that expects an answer carries an
 * {@code id}; the answer carries it back as {@code re}. Components are listed in wire order; optional ones are
 * {@link Optional}.
 */
public sealed interface Frame {

  /** The {@code type} field. */
  FrameType type();

  /** This frame's {@code id}, which an answer (or an {@code error} about it) echoes as {@code re}. */
  default Optional<String> correlationId() {
    return Optional.empty();
  }

  /** The {@code id} of the frame this one answers. */
  default Optional<String> inReplyTo() {
    return Optional.empty();
  }

  /**
   * Instrument to platform, first frame on a connection. Answered by {@link Welcome}, or by an {@link Error}
   * {@code unsupported-version} / {@code identity-mismatch} after which the platform closes.
   *
   * @param versions protocol versions the Instrument speaks (1 to 16 positive integers)
   * @param instrument who the Instrument believes it is; must match the socket's Instrument
   * @param software the Instrument's SDK and software version, e.g. {@code sensorfleet-sdk-java/0.1.0}, for logs
   */
  record Hello(String id, List<Integer> versions, InstrumentId instrument, String software) implements Frame {
    public Hello {
      id = Checks.correlationId("id", id);
      Checks.present("versions", versions);
      if (versions.isEmpty() || versions.size() > 16 || versions.stream().anyMatch(v -> v == null || v < 1)) {
        throw new InvalidFieldException("versions", "field 'versions' must list 1 to 16 positive integers");
      }
      versions = List.copyOf(versions);
      Checks.present("instrument", instrument);
      software = Checks.label("software", software, 128);
    }

    @Override
    public FrameType type() {
      return FrameType.HELLO;
    }

    @Override
    public Optional<String> correlationId() {
      return Optional.of(id);
    }
  }

  /**
   * Platform to Instrument, answering {@link Hello}: the handshake is done and {@code version} governs the rest of
   * the connection.
   *
   * @param config the latest configuration the Instrument accepted, so it can start without waiting for a
   *     {@link Config}; empty if it never accepted one
   */
  record Welcome(String re, int version, InstrumentId instrument, Optional<AcceptedConfig> config) implements Frame {
    public Welcome {
      re = Checks.correlationId("re", re);
      if (version < 1) {
        throw new InvalidFieldException("version", "field 'version' must be a positive integer, got " + version);
      }
      Checks.present("instrument", instrument);
      Checks.present("config", config);
    }

    @Override
    public FrameType type() {
      return FrameType.WELCOME;
    }

    @Override
    public Optional<String> inReplyTo() {
      return Optional.of(re);
    }
  }

  /**
   * A configuration version with its JSON object, as carried by {@link Welcome} (wire fields {@code config_version}
   * and {@code config}).
   */
  record AcceptedConfig(long version, RawJson config) {
    public AcceptedConfig {
      Checks.positive("config_version", version);
      Checks.present("config", config);
      if (!config.isObject()) {
        throw new InvalidFieldException("config", "field 'config' must be an object");
      }
    }
  }

  /**
   * Platform to Instrument: apply this configuration. Answered by {@link ConfigAck} or {@link ConfigReject} with the
   * same {@code version}; the platform keeps the last acknowledged version as the Instrument's current one.
   *
   * @param version increases with every configuration change of this Instrument, starting at 1
   * @param config a JSON object whose schema belongs to the Instrument
   */
  record Config(String id, long version, RawJson config) implements Frame {
    public Config {
      id = Checks.correlationId("id", id);
      Checks.positive("version", version);
      Checks.present("config", config);
      if (!config.isObject()) {
        throw new InvalidFieldException("config", "field 'config' must be an object");
      }
    }

    @Override
    public FrameType type() {
      return FrameType.CONFIG;
    }

    @Override
    public Optional<String> correlationId() {
      return Optional.of(id);
    }
  }

  /** Instrument to platform, answering {@link Config}: the configuration is applied. */
  record ConfigAck(String re, long version) implements Frame {
    public ConfigAck {
      re = Checks.correlationId("re", re);
      Checks.positive("version", version);
    }

    @Override
    public FrameType type() {
      return FrameType.CONFIG_ACK;
    }

    @Override
    public Optional<String> inReplyTo() {
      return Optional.of(re);
    }
  }

  /** Instrument to platform, answering {@link Config}: not applied; the previous configuration stays in force. */
  record ConfigReject(String re, long version, String reason) implements Frame {
    public ConfigReject {
      re = Checks.correlationId("re", re);
      Checks.positive("version", version);
      reason = Checks.text("reason", reason);
    }

    @Override
    public FrameType type() {
      return FrameType.CONFIG_REJECT;
    }

    @Override
    public Optional<String> inReplyTo() {
      return Optional.of(re);
    }
  }

  /** Platform to Instrument: how are you? Answered by {@link HealthReport}. */
  record HealthQuery(String id) implements Frame {
    public HealthQuery {
      id = Checks.correlationId("id", id);
    }

    @Override
    public FrameType type() {
      return FrameType.HEALTH_QUERY;
    }

    @Override
    public Optional<String> correlationId() {
      return Optional.of(id);
    }
  }

  /**
   * Instrument to platform: answers a {@link HealthQuery} ({@code re} set) or reports a change unasked (no
   * {@code re}).
   *
   * @param detail human-readable explanation, may be empty
   * @param metrics a JSON object of the Instrument's own counters, carried through to the platform's metrics
   */
  record HealthReport(Optional<String> re, HealthStatus status, String detail, Optional<RawJson> metrics)
      implements Frame {
    public HealthReport {
      Checks.present("re", re).ifPresent(value -> Checks.correlationId("re", value));
      Checks.present("status", status);
      detail = Checks.text("detail", detail);
      Checks.present("metrics", metrics);
      if (metrics.isPresent() && !metrics.get().isObject()) {
        throw new InvalidFieldException("metrics", "field 'metrics' must be an object");
      }
    }

    @Override
    public FrameType type() {
      return FrameType.HEALTH_REPORT;
    }

    @Override
    public Optional<String> inReplyTo() {
      return re;
    }
  }

  /**
   * Platform to Instrument: delete stored data older than {@code cutoff}. Answered by {@link RetentionReport}; the
   * platform audits both.
   */
  record RetentionEnforce(String id, Instant cutoff) implements Frame {
    public RetentionEnforce {
      id = Checks.correlationId("id", id);
      Checks.present("cutoff", cutoff);
    }

    @Override
    public FrameType type() {
      return FrameType.RETENTION_ENFORCE;
    }

    @Override
    public Optional<String> correlationId() {
      return Optional.of(id);
    }
  }

  /**
   * Instrument to platform, answering {@link RetentionEnforce}: what was deleted.
   *
   * @param remainingBytes bytes still stored after the deletion, if the Instrument knows
   * @param notes free text for the audit record (e.g. what could not be deleted), may be empty
   */
  record RetentionReport(
      String re, Instant cutoff, long deletedFiles, long deletedBytes, OptionalLong remainingBytes, String notes)
      implements Frame {
    public RetentionReport {
      re = Checks.correlationId("re", re);
      Checks.present("cutoff", cutoff);
      Checks.count("deleted_files", deletedFiles);
      Checks.count("deleted_bytes", deletedBytes);
      Checks.present("remaining_bytes", remainingBytes).ifPresent(v -> Checks.count("remaining_bytes", v));
      notes = Checks.text("notes", notes);
    }

    @Override
    public FrameType type() {
      return FrameType.RETENTION_REPORT;
    }

    @Override
    public Optional<String> inReplyTo() {
      return Optional.of(re);
    }
  }

  /**
   * Instrument to platform: deliver {@code payload} to Instrument {@code to}, if the permission policy allows. With
   * {@code ack} the platform answers {@link Ack} once it accepted the message for delivery (so {@code id} is then
   * required); refusals are always answered with {@link Error} ({@code not-permitted}, {@code unknown-instrument},
   * ...) echoing {@code id} if there is one.
   */
  record Send(Optional<String> id, InstrumentId to, boolean ack, RawJson payload) implements Frame {
    public Send {
      Checks.present("id", id).ifPresent(value -> Checks.correlationId("id", value));
      Checks.present("to", to);
      Checks.present("payload", payload);
      if (ack && id.isEmpty()) {
        throw new InvalidFieldException("id", "field 'id' is required when 'ack' is true");
      }
    }

    @Override
    public FrameType type() {
      return FrameType.SEND;
    }

    @Override
    public Optional<String> correlationId() {
      return id;
    }
  }

  /**
   * Platform to Instrument: a message another Instrument sent to this one. {@code from} is stamped by the platform
   * from the sender's socket, never taken from the sender's frame.
   */
  record Deliver(InstrumentId from, RawJson payload) implements Frame {
    public Deliver {
      Checks.present("from", from);
      Checks.present("payload", payload);
    }

    @Override
    public FrameType type() {
      return FrameType.DELIVER;
    }
  }

  /**
   * Instrument to platform: publish an event on {@code topic} for {@code audience}. No answer on success; refusals
   * are answered with {@link Error} echoing {@code id} if there is one.
   */
  record Publish(Optional<String> id, Topic topic, Audience audience, RawJson payload) implements Frame {
    public Publish {
      Checks.present("id", id).ifPresent(value -> Checks.correlationId("id", value));
      Checks.present("topic", topic);
      Checks.present("audience", audience);
      Checks.present("payload", payload);
    }

    @Override
    public FrameType type() {
      return FrameType.PUBLISH;
    }

    @Override
    public Optional<String> correlationId() {
      return id;
    }
  }

  /** Instrument to platform: send me {@link Event}s published on {@code topic}. Answered by {@link Ack} or error. */
  record Subscribe(String id, Topic topic) implements Frame {
    public Subscribe {
      id = Checks.correlationId("id", id);
      Checks.present("topic", topic);
    }

    @Override
    public FrameType type() {
      return FrameType.SUBSCRIBE;
    }

    @Override
    public Optional<String> correlationId() {
      return Optional.of(id);
    }
  }

  /** Instrument to platform: stop sending events of {@code topic}. Answered by {@link Ack} or error. */
  record Unsubscribe(String id, Topic topic) implements Frame {
    public Unsubscribe {
      id = Checks.correlationId("id", id);
      Checks.present("topic", topic);
    }

    @Override
    public FrameType type() {
      return FrameType.UNSUBSCRIBE;
    }

    @Override
    public Optional<String> correlationId() {
      return Optional.of(id);
    }
  }

  /**
   * Platform to Instrument: an event published on a topic this Instrument subscribed to. {@code from} and
   * {@code occurredAt} are stamped by the platform when it accepted the {@link Publish}.
   */
  record Event(Topic topic, InstrumentId from, Audience audience, Instant occurredAt, RawJson payload)
      implements Frame {
    public Event {
      Checks.present("topic", topic);
      Checks.present("from", from);
      Checks.present("audience", audience);
      Checks.present("occurred_at", occurredAt);
      Checks.present("payload", payload);
    }

    @Override
    public FrameType type() {
      return FrameType.EVENT;
    }
  }

  /**
   * Platform to Instrument: a new version of a resource the Instrument uses (rule set, feed, database) is ready at
   * {@code location}. No answer expected; the Instrument verifies {@code sha256} and {@code size} before use.
   *
   * @param name resource name, e.g. {@code suricata-rules}
   * @param version resource version, e.g. {@code 2026.11.22-1}
   * @param sha256 lower-case hex SHA-256 of the content
   * @param size content size in bytes
   * @param location an absolute path inside the Instrument's container, or an http(s) URL
   */
  record ResourceAvailable(
      Optional<String> id, String name, String version, String sha256, long size, String location)
      implements Frame {
    public ResourceAvailable {
      Checks.present("id", id).ifPresent(value -> Checks.correlationId("id", value));
      name = Checks.name("name", name);
      version = Checks.version("version", version);
      sha256 = Checks.sha256("sha256", sha256);
      Checks.count("size", size);
      location = Checks.location("location", location);
    }

    @Override
    public FrameType type() {
      return FrameType.RESOURCE_AVAILABLE;
    }

    @Override
    public Optional<String> correlationId() {
      return id;
    }
  }

  /**
   * Platform to Instrument: the request {@code re} succeeded. Answers {@link Subscribe}, {@link Unsubscribe} and a
   * {@link Send} that asked for {@code ack}.
   */
  record Ack(String re) implements Frame {
    public Ack {
      re = Checks.correlationId("re", re);
    }

    @Override
    public FrameType type() {
      return FrameType.ACK;
    }

    @Override
    public Optional<String> inReplyTo() {
      return Optional.of(re);
    }
  }

  /**
   * Either direction: a frame was refused or failed. {@code re} echoes the refused frame's {@code id} when it could be
   * read. If {@code code} is fatal the sender closes the connection next. Never answer an error with an error.
   *
   * @param code an {@link ErrorCode} wire name; kept as a string so codes added by a newer peer still decode
   */
  record Error(Optional<String> re, String code, String message) implements Frame {
    public Error {
      Checks.present("re", re).ifPresent(value -> Checks.correlationId("re", value));
      code = Checks.errorCode("code", code);
      message = Checks.text("message", message);
    }

    /** An error with one of our codes. */
    public static Error of(ErrorCode code, String message, Optional<String> re) {
      return new Error(re, code.wireName(), message);
    }

    /** The code, if this version knows it. */
    public Optional<ErrorCode> knownCode() {
      return ErrorCode.fromWireName(code);
    }

    @Override
    public FrameType type() {
      return FrameType.ERROR;
    }

    @Override
    public Optional<String> inReplyTo() {
      return re;
    }
  }

  /** Either direction: I am closing this connection, and why (may be empty). The receiver closes too. */
  record Bye(String reason) implements Frame {
    public Bye {
      reason = Checks.text("reason", reason);
    }

    @Override
    public FrameType type() {
      return FrameType.BYE;
    }
  }
}
