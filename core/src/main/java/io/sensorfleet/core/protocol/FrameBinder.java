package io.sensorfleet.core.protocol;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Builds the frame record for an envelope's {@code type}: the field table of {@code docs/protocol.md} in code. Fields
 * are read in wire order, so the first bad one is the one reported.
 */
final class FrameBinder {

  private FrameBinder() {}

  static Frame bind(Envelope e) throws Rejection {
    String typeName = e.string("type");
    FrameType type = FrameType.fromWireName(typeName).orElseThrow(() -> new Rejection(ErrorCode.UNKNOWN_TYPE,
        "unknown frame type '" + Checks.printable(typeName) + "'"));
    return switch (type) {
      case HELLO -> new Frame.Hello(
          e.string("id"), e.smallIntegers("versions", 16), e.instrument("instrument"), e.string("software"));
      case WELCOME -> new Frame.Welcome(
          e.string("re"), e.smallInteger("version"), e.instrument("instrument"), acceptedConfig(e));
      case CONFIG -> new Frame.Config(e.string("id"), e.integer("version"), e.rawObject("config"));
      case CONFIG_ACK -> new Frame.ConfigAck(e.string("re"), e.integer("version"));
      case CONFIG_REJECT -> new Frame.ConfigReject(e.string("re"), e.integer("version"), e.textOrEmpty("reason"));
      case HEALTH_QUERY -> new Frame.HealthQuery(e.string("id"));
      case HEALTH_REPORT -> new Frame.HealthReport(e.optionalString("re"), e.healthStatus("status"),
          e.textOrEmpty("detail"), e.optionalRawObject("metrics"));
      case RETENTION_ENFORCE -> new Frame.RetentionEnforce(e.string("id"), e.instant("cutoff"));
      case RETENTION_REPORT -> new Frame.RetentionReport(e.string("re"), e.instant("cutoff"),
          e.integer("deleted_files"), e.integer("deleted_bytes"), e.optionalInteger("remaining_bytes"),
          e.textOrEmpty("notes"));
      case SEND -> send(e);
      case DELIVER -> new Frame.Deliver(e.instrument("from"), e.raw("payload"));
      case PUBLISH -> new Frame.Publish(e.optionalString("id"), e.topic("topic"), e.audience("audience"),
          e.raw("payload"));
      case SUBSCRIBE -> new Frame.Subscribe(e.string("id"), e.topic("topic"));
      case UNSUBSCRIBE -> new Frame.Unsubscribe(e.string("id"), e.topic("topic"));
      case EVENT -> new Frame.Event(e.topic("topic"), e.instrument("from"), e.audience("audience"),
          e.instant("occurred_at"), e.raw("payload"));
      case RESOURCE_AVAILABLE -> new Frame.ResourceAvailable(e.optionalString("id"), e.string("name"),
          e.string("version"), e.string("sha256"), e.integer("size"), e.string("location"));
      case ACK -> new Frame.Ack(e.string("re"));
      case ERROR -> new Frame.Error(e.optionalString("re"), e.string("code"), e.textOrEmpty("message"));
      case BYE -> new Frame.Bye(e.textOrEmpty("reason"));
    };
  }

  private static Frame send(Envelope e) throws Rejection {
    Optional<String> id = e.optionalString("id");
    var to = e.instrument("to");
    boolean ack = e.bool("ack", false);
    if (ack && id.isEmpty()) {
      throw e.missing("id", " (required when 'ack' is true)");
    }
    return new Frame.Send(id, to, ack, e.raw("payload"));
  }

  /** {@code config_version} and {@code config} come together or not at all. */
  private static Optional<Frame.AcceptedConfig> acceptedConfig(Envelope e) throws Rejection {
    OptionalLong version = e.optionalInteger("config_version");
    Optional<RawJson> config = e.optionalRawObject("config");
    if (version.isPresent() && config.isPresent()) {
      return Optional.of(new Frame.AcceptedConfig(version.getAsLong(), config.get()));
    }
    if (version.isPresent()) {
      throw e.missing("config", " (required with 'config_version')");
    }
    if (config.isPresent()) {
      throw e.missing("config_version", " (required with 'config')");
    }
    return Optional.empty();
  }
}
