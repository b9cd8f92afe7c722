package io.sensorfleet.core.protocol;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every frame type of protocol version 1 with its wire name and which end may send it, so the connection layers
 * can refuse a frame from the wrong end (error {@code unexpected-frame}) without a table of their own.
 */
public enum FrameType {
  HELLO("hello", Peer.INSTRUMENT),
  WELCOME("welcome", Peer.PLATFORM),
  CONFIG("config", Peer.PLATFORM),
  CONFIG_ACK("config-ack", Peer.INSTRUMENT),
  CONFIG_REJECT("config-reject", Peer.INSTRUMENT),
  HEALTH_QUERY("health-query", Peer.PLATFORM),
  HEALTH_REPORT("health-report", Peer.INSTRUMENT),
  RETENTION_ENFORCE("retention-enforce", Peer.PLATFORM),
  RETENTION_REPORT("retention-report", Peer.INSTRUMENT),
  SEND("send", Peer.INSTRUMENT),
  DELIVER("deliver", Peer.PLATFORM),
  PUBLISH("publish", Peer.INSTRUMENT),
  SUBSCRIBE("subscribe", Peer.INSTRUMENT),
  UNSUBSCRIBE("unsubscribe", Peer.INSTRUMENT),
  EVENT("event", Peer.PLATFORM),
  RESOURCE_AVAILABLE("resource-available", Peer.PLATFORM),
  ACK("ack", Peer.PLATFORM),
  ERROR("error", Peer.PLATFORM, Peer.INSTRUMENT),
  BYE("bye", Peer.PLATFORM, Peer.INSTRUMENT);

  private static final Map<String, FrameType> BY_WIRE_NAME =
      Stream.of(values()).collect(Collectors.toUnmodifiableMap(FrameType::wireName, Function.identity()));

  private final String wireName;
  private final Set<Peer> senders;

  FrameType(String wireName, Peer sender, Peer... otherSenders) {
    this.wireName = wireName;
    this.senders = Set.copyOf(EnumSet.of(sender, otherSenders));
  }

  /** The value of the {@code type} field, e.g. {@code config-ack}. */
  public String wireName() {
    return wireName;
  }

  /** True when {@code peer} may send frames of this type. */
  public boolean sentBy(Peer peer) {
    return senders.contains(peer);
  }

  /** The type with this wire name, or empty for a type this version does not know. */
  public static Optional<FrameType> fromWireName(String name) {
    return Optional.ofNullable(name == null ? null : BY_WIRE_NAME.get(name));
  }
}
