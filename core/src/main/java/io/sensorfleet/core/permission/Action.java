package io.sensorfleet.core.permission;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.sensorfleet.core.InstrumentId;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What an Instrument wants to do on the bus. Each action is about one kind of object: {@link #SEND} names an
 * Instrument, {@link #PUBLISH} and {@link #SUBSCRIBE} a topic, {@link #RECEIVE_RESOURCE} a downloaded resource.
 * Its {@linkplain #wireName() wire name} is what manifests, grants and the journal spell.
 */
public enum Action {
  /** Send a direct message to one Instrument; the object is an {@link InstrumentId}. */
  SEND("send", "instrument id", "send to"),
  /** Publish on a topic; the object is a topic name. */
  PUBLISH("publish", "topic name", "publish on"),
  /** Subscribe to a topic; the object is a topic name. */
  SUBSCRIBE("subscribe", "topic name", "subscribe to"),
  /** Receive a resource the platform downloaded (e.g. {@code suricata-rules}); the object is its name. */
  RECEIVE_RESOURCE("receive-resource", "resource name", "receive resource");

  private final String wireName;
  private final String objectKind;
  private final String verb;

  Action(String wireName, String objectKind, String verb) {
    this.wireName = wireName;
    this.objectKind = objectKind;
    this.verb = verb;
  }

  /** The lower-case name used in YAML and JSON, e.g. {@code receive-resource}. */
  @JsonValue
  public String wireName() {
    return wireName;
  }

  /** What the object of this action is, for messages: {@code instrument id}, {@code topic name}, ... */
  public String objectKind() {
    return objectKind;
  }

  /** The action with its object, as reasons and audit lines read it: {@code send to ids}, {@code subscribe to dns}. */
  public String describe(String object) {
    return verb + " " + object;
  }

  /** The action spelled {@code wireName}, if any. */
  public static Optional<Action> fromWireName(String wireName) {
    return Arrays.stream(values()).filter(a -> a.wireName.equals(wireName)).findFirst();
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)  // see InstrumentId: Pekko's parameter-names module
  static Action fromJson(String wireName) {
    return fromWireName(wireName).orElseThrow(() -> new IllegalArgumentException(
        "unknown action " + ObjectNames.quoted(wireName) + ", expected one of " + wireNames()));
  }

  /** All wire names, comma-separated, for error messages. */
  public static String wireNames() {
    return Arrays.stream(values()).map(Action::wireName).collect(Collectors.joining(", "));
  }

  /**
   * Whether a wildcard object ({@code *}) may be granted for this action. Topics and resources: yes (e.g. an
   * archiver subscribing to every topic). {@code send}: never, so no grant can let one Instrument message all
   * the others, including ones installed later.
   */
  public boolean allowsWildcard() {
    return this != SEND;
  }

  /** Empty when {@code object} is a well-formed, concrete (non-wildcard) object of this action, else why not. */
  public Optional<String> objectProblem(String object) {
    boolean valid = switch (this) {
      case SEND -> InstrumentId.isValid(object);
      case PUBLISH, SUBSCRIBE -> ObjectNames.isTopic(object);
      case RECEIVE_RESOURCE -> ObjectNames.isResource(object);
    };
    if (valid) {
      return Optional.empty();
    }
    String rule = this == SEND ? "" : " (" + ObjectNames.NAME_RULE + ")";
    return Optional.of(ObjectNames.quoted(object) + " is not a valid " + objectKind + rule);
  }
}
